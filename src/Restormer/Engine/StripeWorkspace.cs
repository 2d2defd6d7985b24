using Restormer.Inference;
using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// One worker's share of a level: a horizontal stripe of rows, processed in bands with its own projection ring and
/// band scratch, and its own partial MDTA statistics (Gram matrices and squared norms), summed across stripes.
/// </summary>
internal sealed class StripeWorkspace : IDisposable
{
    private readonly Tensor scratch;
    private readonly int bandRows;
    private readonly WorkProgress progress;

    public int First { get; }
    public int Rows { get; }
    public int Width { get; }
    public ProjectionRing Ring { get; }
    /// <summary>[heads, head channels, head channels] float32: q·kᵀ over this stripe.</summary>
    public Tensor Gram { get; }
    /// <summary>Σ q² and Σ k² per (padded) channel over this stripe.</summary>
    public float[] Squares { get; }

    public StripeWorkspace(int first, int rows, int width, int bandRows, PackedTransformerBlock block, EngineSettings settings, WorkProgress progress)
    {
        (First, Rows, Width, this.progress) = (first, rows, width, progress);
        this.bandRows = Math.Min(bandRows, rows);
        int widest = Math.Max(block.AttentionProjection.OutChannels, block.FeedForwardProjection.OutChannels);
        Ring = new ProjectionRing(first, rows, this.bandRows, width, block.Channels, widest, settings);
        scratch = empty((long)this.bandRows * width * widest, dtype: settings.ComputeType);
        Gram = zeros(block.Heads, block.Channels / block.Heads, block.Channels / block.Heads);
        Squares = new float[2 * block.AttentionProjection.PaddedGroupChannels];
    }

    /// <summary>
    /// The stripe's bands, in order: (first row, rows). Each finished band adds its pixels × <paramref name="macsPerPixel"/>
    /// to the progress; once cancellation is asked for no more bands come, and the level's caller throws.
    /// </summary>
    public IEnumerable<(int First, int Rows)> Bands(double macsPerPixel)
    {
        for (int first = First; first < First + Rows && !progress.IsCancellationRequested; first += bandRows)
        {
            int rows = Math.Min(bandRows, First + Rows - first);
            yield return (first, rows);
            progress.Add((double)rows * Width * macsPerPixel);
        }
    }

    /// <summary>A [pixels, channels] view of the band scratch.</summary>
    public Tensor Scratch(long pixels, int channels)
    {
        using var used = scratch.narrow(0, 0, pixels * channels);
        return used.view(pixels, channels);
    }

    public void Dispose()
    {
        Ring.Dispose();
        scratch.Dispose();
        Gram.Dispose();
    }
}

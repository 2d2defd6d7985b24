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

    public int First { get; }
    public int Rows { get; }
    public int Width { get; }
    public ProjectionRing Ring { get; }
    /// <summary>[heads, head channels, head channels] float32: q·kᵀ over this stripe.</summary>
    public Tensor Gram { get; }
    /// <summary>Σ q² and Σ k² per (padded) channel over this stripe.</summary>
    public float[] Squares { get; }

    public StripeWorkspace(int first, int rows, int width, int bandRows, PackedTransformerBlock block, EngineSettings settings)
    {
        (First, Rows, Width) = (first, rows, width);
        this.bandRows = Math.Min(bandRows, rows);
        int widest = Math.Max(block.AttentionProjection.OutChannels, block.FeedForwardProjection.OutChannels);
        Ring = new ProjectionRing(first, rows, this.bandRows, width, block.Channels, widest, settings);
        scratch = empty((long)this.bandRows * width * widest, dtype: settings.ComputeType);
        Gram = zeros(block.Heads, block.Channels / block.Heads, block.Channels / block.Heads);
        Squares = new float[2 * block.AttentionProjection.PaddedGroupChannels];
    }

    /// <summary>The stripe's bands, in order: (first row, rows).</summary>
    public IEnumerable<(int First, int Rows)> Bands()
    {
        for (int first = First; first < First + Rows; first += bandRows)
            yield return (first, Math.Min(bandRows, First + Rows - first));
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

using Restormer.Inference;
using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// Buffers shared by all Transformer blocks of one level at one image size: one <see cref="StripeWorkspace"/> per
/// worker, and MDTA's full-size <c>v</c>, which must wait for the whole image's attention map.
/// </summary>
internal sealed class LevelWorkspace : IDisposable
{
    public StripeWorkers Workers { get; }
    public IReadOnlyList<StripeWorkspace> Stripes { get; }
    /// <summary>[height · width, padded channels] MDTA values of the current block.</summary>
    public Tensor Values { get; }
    /// <summary>A block's MACs per pixel in each of its passes over the bands (<see cref="ModelCost.BlockPerPixel"/>), for the progress.</summary>
    public (double Statistics, double Mixing, double FeedForward) MacsPerPixel { get; }

    public LevelWorkspace(int height, int width, PackedTransformerBlock block, EngineSettings settings, StripeWorkers workers,
        (double, double, double) macsPerPixel, WorkProgress progress)
    {
        Workers = workers;
        MacsPerPixel = macsPerPixel;
        int count = Math.Min(workers.Count, height), bandRows = settings.BandRows(height, width);
        Stripes = Enumerable.Range(0, count).Select(i =>
        {
            int first = height * i / count, end = height * (i + 1) / count;
            return new StripeWorkspace(first, end - first, width, bandRows, block, settings, progress);
        }).ToList();
        Values = empty((long)height * width, block.AttentionProjection.PaddedGroupChannels, dtype: settings.ComputeType);
    }

    /// <summary>Runs <paramref name="body"/> on every stripe in parallel.</summary>
    public void ForEachStripe(Action<StripeWorkspace> body) => Workers.Run(Stripes.Count, i => body(Stripes[i]));

    public void Dispose()
    {
        foreach (var stripe in Stripes) stripe.Dispose();
        Values.Dispose();
    }
}

using Restormer.Model;

namespace Restormer.Inference;

/// <summary>
/// Peak activation memory of one forward pass, proportional to pixels × model width. The constant was measured
/// (peak resident memory of the full-size model at several sizes, see <c>restormer bench</c>) with a margin.
/// </summary>
public static class MemoryEstimate
{
    private const long BytesPerPixelPerChannel = 300;

    /// <summary>Estimated peak bytes per input pixel for a model of this width.</summary>
    public static long BytesPerPixel(RestormerConfig config) =>
        (long)(BytesPerPixelPerChannel * config.Dim * Math.Max(1.0, config.FfnExpansionFactor / 2.66));

    /// <summary>Estimated peak bytes for one forward pass over a <paramref name="height"/>×<paramref name="width"/> input.</summary>
    public static long ActivationBytes(RestormerConfig config, int height, int width) =>
        BytesPerPixel(config) * height * width;
}

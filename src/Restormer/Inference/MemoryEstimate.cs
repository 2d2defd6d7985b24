using Restormer.Model;
using Restormer.Engine;

namespace Restormer.Inference;

/// <summary>
/// Peak activation memory of one forward pass, proportional to pixels × model width. The constants were measured
/// (peak resident memory of the full-size model at 256×256 and 1280×720 minus the idle process, see
/// <c>restormer bench</c>) with a margin. The module's forward keeps many full-size intermediates; the
/// <see cref="InferenceEngine"/> keeps only the skip connections, the current level and MDTA's values.
/// </summary>
public sealed class MemoryEstimate(RestormerConfig config, bool engine, Precision precision)
{
    private const double ModuleBytesPerPixelPerChannel = 300;
    private const double EngineBytesPerPixelPerChannel = 36;
    private const double EngineBf16BytesPerPixelPerChannel = 26;

    /// <summary>Bytes per input pixel.</summary>
    public long BytesPerPixel
    {
        get
        {
            double perChannel = !engine ? ModuleBytesPerPixelPerChannel
                : precision == Precision.Bf16 ? EngineBf16BytesPerPixelPerChannel : EngineBytesPerPixelPerChannel;
            return (long)(perChannel * config.Dim * Math.Max(1.0, config.FfnExpansionFactor / 2.66));
        }
    }

    /// <summary>Estimated peak activation bytes for a padded image.</summary>
    public long ActivationBytes(int height, int width) => BytesPerPixel * height * width;

    /// <summary>The side of the largest square image whose activations fit <paramref name="budgetBytes"/>.</summary>
    public int LargestSquareSide(long budgetBytes) => (int)Math.Sqrt(budgetBytes / (double)BytesPerPixel);
}

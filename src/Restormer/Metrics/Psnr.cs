using System.Numerics;

namespace Restormer.Metrics;

/// <summary>
/// Peak signal-to-noise ratio, 20·log10(peak / √MSE) in dB, as the reference's <c>calculate_psnr</c>: the MSE over every
/// pixel and channel left after the border crop; identical images give +∞.
/// </summary>
public static class Psnr
{
    /// <summary>Peak value of <see cref="MetricImage"/> pixels (8-bit scale).</summary>
    public const double Peak = 255.0;

    /// <summary>
    /// PSNR of <paramref name="restored"/> against <paramref name="reference"/> with peak 255, after dropping
    /// <paramref name="cropBorder"/> pixels per edge, over all channels or (<paramref name="yChannel"/>) on Y only.
    /// Unlike the reference, the peak never switches to 1 for an almost black image (its <c>img1.max() &lt;= 1</c> test).
    /// </summary>
    public static double Compute(MetricImage restored, MetricImage reference, int cropBorder = 0, bool yChannel = false)
    {
        MetricImage.EnsureSameSize(restored, reference);
        var mse = MeanSquaredError<double>(restored.Prepare(cropBorder, yChannel).Pixels, reference.Prepare(cropBorder, yChannel).Pixels);
        return FromMse(mse, Peak);
    }

    /// <summary>
    /// Validation PSNR for network outputs and targets as float values in [0,1] (any layout, same for both), peak 1:
    /// what the reference's training validation computes on raw tensors (<c>use_image: false</c>). The output is not
    /// clamped, as there; unlike there, an output above 1 does not switch the peak to 255.
    /// </summary>
    public static double UnitRange(ReadOnlySpan<float> restored, ReadOnlySpan<float> target)
    {
        if (restored.Length != target.Length)
            throw new ArgumentException($"Restored and target hold different numbers of values ({restored.Length} and {target.Length}).");
        if (restored.IsEmpty) throw new ArgumentException("Cannot compute PSNR of empty images.");
        return FromMse(MeanSquaredError(restored, target), 1.0);
    }

    /// <summary>20·log10(peak / √mse); +∞ for a zero error.</summary>
    public static double FromMse(double mse, double peak) =>
        mse == 0 ? double.PositiveInfinity : 20.0 * Math.Log10(peak / Math.Sqrt(mse));

    /// <summary>Mean of squared differences, accumulated in float64.</summary>
    static double MeanSquaredError<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : INumberBase<T>
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = double.CreateTruncating(a[i]) - double.CreateTruncating(b[i]);
            sum += d * d;
        }
        return sum / a.Length;
    }
}

namespace Restormer.Metrics;

/// <summary>
/// The scores that <c>evaluate</c> reports for one restored image: PSNR (dB), the per-channel Gaussian SSIM that most
/// tools report (<see cref="Ssim.Compute"/>) and the Restormer training code's 3-D SSIM (<see cref="Ssim.Compute3D"/>).
/// A named <see cref="EvaluationProtocol"/> gives PSNR and its own SSIM only (<see cref="Ssim3D"/> null).
/// </summary>
public sealed record ImageScores(double Psnr, double Ssim, double? Ssim3D)
{
    /// <summary>Measures all three with the same crop and colour space (Y channel or all channels).</summary>
    public static ImageScores Measure(MetricImage restored, MetricImage reference, int cropBorder = 0, bool yChannel = false) => new(
        Metrics.Psnr.Compute(restored, reference, cropBorder, yChannel),
        Metrics.Ssim.Compute(restored, reference, cropBorder, yChannel),
        Metrics.Ssim.Compute3D(restored, reference, cropBorder, yChannel));

    /// <summary>Per-score arithmetic mean (of dB values for PSNR, as the reference averages), or null for none.</summary>
    public static ImageScores? Mean(IReadOnlyCollection<ImageScores> scores) => scores.Count == 0 ? null : new(
        scores.Average(s => s.Psnr), scores.Average(s => s.Ssim), scores.All(s => s.Ssim3D is not null) ? scores.Average(s => s.Ssim3D!.Value) : null);
}

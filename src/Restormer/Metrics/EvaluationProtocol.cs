namespace Restormer.Metrics;

/// <summary>
/// How a paper table's PSNR and SSIM are computed for one kind of data. <see cref="Default"/> reports every
/// convention (PSNR, per-channel SSIM, the reference's 3-D SSIM) with an optional border crop and Y channel; each
/// named protocol reports exactly the paper's two numbers, PSNR and the SSIM that table used.
/// </summary>
/// <param name="Name">The name given to <c>evaluate --protocol</c>.</param>
/// <param name="Description">One line for the report header.</param>
/// <param name="Measure">Scores one restored image against its reference.</param>
public sealed record EvaluationProtocol(string Name, string Description, Func<MetricImage, MetricImage, ImageScores> Measure)
{
    /// <summary>
    /// GoPro and HIDE (the reference's <c>evaluate_gopro_hide.m</c>): PSNR over the RGB channels and MATLAB's
    /// <c>ssim</c> on the RGB array, a 3-D Gaussian window (<see cref="Ssim.Compute3D"/>); no crop.
    /// </summary>
    public static EvaluationProtocol GoPro { get; } = new("gopro", "GoPro/HIDE: PSNR on RGB, SSIM with the 3-D window on RGB",
        (restored, reference) => new ImageScores(Psnr.Compute(restored, reference), Ssim.Compute3D(restored, reference), null));

    /// <summary>
    /// RealBlur-J/R (<c>evaluate_realblur.py</c>): ECC homography alignment, then masked PSNR and SSIM
    /// (<see cref="RealBlurScores"/>).
    /// </summary>
    public static EvaluationProtocol RealBlur { get; } = new("realblur", "RealBlur: ECC-aligned, masked PSNR and SSIM on RGB", RealBlurScores.Measure);

    /// <summary>
    /// Deraining (the reference's <c>evaluate_PSNR_SSIM.m</c>): PSNR and SSIM (11×11 Gaussian window, σ 1.5) on the Y
    /// channel of YCbCr (BT.601); no crop.
    /// </summary>
    public static EvaluationProtocol Deraining { get; } = new("deraining", "Deraining: PSNR and SSIM on the Y channel (BT.601)",
        (restored, reference) => new ImageScores(Psnr.Compute(restored, reference, yChannel: true), Ssim.Compute3D(restored, reference, yChannel: true), null));

    /// <summary>The named protocols, by name (<c>hide</c> is <c>gopro</c>).</summary>
    public static IReadOnlyDictionary<string, EvaluationProtocol> Named { get; } = new Dictionary<string, EvaluationProtocol>
    {
        ["gopro"] = GoPro, ["hide"] = GoPro, ["realblur"] = RealBlur, ["deraining"] = Deraining,
    };

    /// <summary>Every convention, after dropping <paramref name="cropBorder"/> pixels, on all channels or the Y channel.</summary>
    public static EvaluationProtocol Default(int cropBorder, bool yChannel) => new("default",
        $"{(yChannel ? "Y channel (BT.601)" : "all channels (BGR)")}, {cropBorder} border pixels cropped",
        (restored, reference) => ImageScores.Measure(restored, reference, cropBorder, yChannel));
}

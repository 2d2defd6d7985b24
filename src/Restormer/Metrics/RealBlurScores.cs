using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Restormer.Metrics;

/// <summary>
/// The RealBlur protocol of the paper's RealBlur-J/R numbers (the reference's <c>evaluate_realblur.py</c>, after Köhler
/// et al.): real blurred and sharp photographs are not pixel-aligned, so the restored image is first scaled to the
/// target's intensity (least squares), aligned to it by ECC with a homography (100 iterations, Gaussian filter size
/// 5, on <c>RGB2GRAY</c>), warped (cubic, inverse map, reflected borders), and both images are multiplied by the mask
/// of pixels the warp covers. PSNR is then taken over the mask's pixels, and SSIM (scikit-image's per-channel
/// Gaussian SSIM, σ 1.5, population covariance) is averaged over the mask with the window's 5-pixel border dropped.
/// </summary>
public static class RealBlurScores
{
    /// <summary>Aligns <paramref name="restored"/> to <paramref name="reference"/> and scores it; a failed alignment throws <see cref="InvalidDataException"/>.</summary>
    public static ImageScores Measure(MetricImage restored, MetricImage reference)
    {
        MetricImage.EnsureSameSize(restored, reference);
        if (restored.Channels != 3)
            throw new ArgumentException($"The RealBlur protocol needs colour images, these have {restored.Channels} channel(s).");
        var (aligned, target, mask) = Align(restored, reference);
        var squared = 0.0;
        for (var i = 0; i < aligned.Pixels.Length; i++)
        {
            var d = aligned.Pixels[i] - target.Pixels[i];
            squared += d * d;
        }
        var psnr = Psnr.FromMse(squared / mask.Sum(), Psnr.Peak);
        return new ImageScores(psnr, Ssim.ComputeMasked(aligned, target, mask), null);
    }

    /// <summary>
    /// The reference's <c>image_align</c> on [0,1] float32 images: the aligned restored image and the target, both
    /// multiplied by the warp's coverage mask, and the mask (HWC, 0 or 1); images on the 0..255 scale.
    /// </summary>
    static (MetricImage Aligned, MetricImage Target, double[] Mask) Align(MetricImage restored, MetricImage reference)
    {
        using var x = ToUnitFloat(reference);
        using var z = ToUnitFloat(restored);
        // Intensity matching: the least-squares scale of z onto x.
        using var zs = (z * (x.Dot(z) / z.Dot(z))).ToMat();
        using var xGray = x.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var zGray = zs.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var warp = Mat.Eye(3, 3, MatType.CV_32F).ToMat();
        try
        {
            Cv2.FindTransformECC(xGray, zGray, warp, MotionTypes.Homography,
                new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, 100, 0), null, 5);
        }
        catch (OpenCVException e)
        {
            throw new InvalidDataException($"ECC could not align the restored image to its reference ({e.ErrMsg.Trim()}); is it the same scene?", e);
        }
        var size = new Size(x.Cols, x.Rows);
        using var zr = new Mat();
        Cv2.WarpPerspective(zs, zr, warp, size, InterpolationFlags.Cubic | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect);
        using var ones = new Mat(x.Size(), MatType.CV_32FC3, Scalar.All(1));
        using var cr = new Mat();
        Cv2.WarpPerspective(ones, cr, warp, size, InterpolationFlags.Nearest | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        using var alignedMasked = zr.Mul(cr).ToMat();
        using var targetMasked = x.Mul(cr).ToMat();
        var mask = Values(cr, 1.0);
        return (Image(alignedMasked), Image(targetMasked), mask);

        MetricImage Image(Mat unit) => new(unit.Rows, unit.Cols, 3, Values(unit, Psnr.Peak));
    }

    // As the reference: 8-bit values / 255 in float32 (channel order is irrelevant: BGR2GRAY on BGR is RGB2GRAY on RGB).
    static Mat ToUnitFloat(MetricImage image)
    {
        var values = Array.ConvertAll(image.Pixels, v => (float)(v / Psnr.Peak));
        var mat = new Mat(image.Height, image.Width, MatType.CV_32FC3);
        Marshal.Copy(values, 0, mat.Data, values.Length);
        return mat;
    }

    // The HWC values of a (continuous, as every Mat made here) float image, times scale.
    static double[] Values(Mat image, double scale)
    {
        var values = new float[image.Rows * image.Cols * image.Channels()];
        Marshal.Copy(image.Data, values, 0, values.Length);
        return Array.ConvertAll(values, v => v * scale);
    }
}

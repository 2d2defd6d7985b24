using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// The individual degradations applied to a float image in [0, 1] (any channel order): blur by a kernel,
/// optionally in linear light, signal-dependent sensor noise, JPEG re-compression and clamping. Each returns a
/// new Mat and leaves its input untouched.
/// </summary>
public static class ImageDegradations
{
    /// <summary>
    /// Convolves <paramref name="image"/> with <paramref name="kernel"/> (a true convolution: the kernel is flipped
    /// for OpenCV's correlation), reflecting the image at its borders (BORDER_REFLECT_101) so no dark frame appears.
    /// With <paramref name="linearLight"/> the image is decoded to linear light first and encoded again afterwards,
    /// since a camera integrates light, not gamma-encoded values.
    /// </summary>
    public static Mat Blur(Mat image, Mat kernel, CameraResponse? linearLight = null)
    {
        using var linear = linearLight?.ToLinear(image);
        var blurred = Convolve(linear ?? image, kernel);
        if (linearLight is null) return blurred;
        using (blurred) return linearLight.ToEncoded(blurred);
    }

    /// <summary>Convolves <paramref name="image"/> with <paramref name="kernel"/> as it stands (no change of scale), see <see cref="Blur"/>.</summary>
    public static Mat Convolve(Mat image, Mat kernel)
    {
        ImageChecks.RequireFloat(image);
        if (kernel.Empty() || kernel.Type() != MatType.CV_32FC1 || kernel.Rows % 2 == 0 || kernel.Cols % 2 == 0)
            throw new ArgumentException($"A blur kernel must be an odd-sized CV_32FC1 Mat; got {kernel.Type()} {kernel.Cols}x{kernel.Rows}.", nameof(kernel));
        using var flipped = kernel.Flip(FlipMode.XY);
        var blurred = new Mat();
        Cv2.Filter2D(image, blurred, MatType.CV_32F, flipped, new Point(-1, -1), 0, BorderTypes.Reflect101);
        return blurred;
    }

    /// <summary>
    /// Raises the highlights of a linear-light image to beyond full scale: each value x is multiplied by
    /// 1 + (<paramref name="gain"/> − 1)·w(x), where w rises smoothly (smoothstep) from 0 at x = 0.5 to 1 at x = 1, so
    /// mid-tones keep their level while light sources and glints exceed what the sensor can hold. Not clamped.
    /// </summary>
    public static Mat SaturateHighlights(Mat linear, double gain)
    {
        ImageChecks.RequireFloat(linear);
        if (!(gain >= 1)) throw new ArgumentException($"A highlight gain must be >= 1; got {gain}.", nameof(gain));
        var raised = linear.Clone();
        var span = raised.AsSpan<float>();
        for (var i = 0; i < span.Length; i++)
        {
            var w = Math.Clamp((span[i] - 0.5) / 0.5, 0, 1);
            span[i] = (float)(span[i] * (1 + (gain - 1) * w * w * (3 - 2 * w)));
        }
        return raised;
    }

    /// <summary>
    /// Adds Poisson–Gaussian sensor noise in its usual heteroscedastic Gaussian form (Foi et al. 2008): each value x
    /// receives zero-mean Gaussian noise of variance <paramref name="poisson"/>·x + <paramref name="sigma"/>², so
    /// shot noise grows with the signal while read noise stays constant. Not clamped (see <see cref="Clamp"/>).
    /// </summary>
    public static Mat AddNoise(Mat image, double sigma, double poisson, Random rng)
    {
        ImageChecks.RequireFloat(image);
        if (!(sigma >= 0) || !(poisson >= 0))
            throw new ArgumentException($"Noise sigma and Poisson scale must be >= 0; got sigma {sigma}, poisson {poisson}.");
        var noisy = image.Clone();
        var span = noisy.AsSpan<float>();
        var variance0 = sigma * sigma;
        for (var i = 0; i < span.Length; i++)
        {
            var x = span[i];
            span[i] = (float)(x + Math.Sqrt(variance0 + poisson * Math.Max(x, 0f)) * rng.NextGaussian());
        }
        return noisy;
    }

    /// <summary>Adds signal-independent white Gaussian noise of standard deviation <paramref name="sigma"/>.</summary>
    public static Mat AddGaussianNoise(Mat image, double sigma, Random rng) => AddNoise(image, sigma, 0, rng);

    /// <summary>
    /// Round-trips the image through an 8-bit JPEG at <paramref name="quality"/> (1–100), producing blocking and
    /// ringing like a camera's or a website's compression (values are saturated to [0, 1] on the way). Three-channel images are taken as OpenCV's BGR order
    /// for the encoder's colour transform; the size and channel count are kept.
    /// </summary>
    public static Mat Jpeg(Mat image, int quality)
    {
        ImageChecks.RequireFloat(image);
        if (quality is < 1 or > 100) throw new ArgumentException($"JPEG quality must be in 1..100; got {quality}.", nameof(quality));
        if (image.Channels() is 2 or 4) throw new ArgumentException("JPEG re-compression needs a 1- or 3-channel image.", nameof(image));
        using var bytes = new Mat();
        image.ConvertTo(bytes, MatType.CV_8U, 255.0); // rounds and saturates to [0, 255]
        Cv2.ImEncode(".jpg", bytes, out var encoded, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        using var decoded = Cv2.ImDecode(encoded, ImreadModes.Unchanged);
        var result = new Mat();
        decoded.ConvertTo(result, MatType.CV_32F, 1 / 255.0);
        return result;
    }

    /// <summary>Clips every value to [0, 1], the range of a storable image.</summary>
    public static Mat Clamp(Mat image)
    {
        ImageChecks.RequireFloat(image);
        using var floor = new Mat();
        Cv2.Max(image, 0.0, floor);
        var result = new Mat();
        Cv2.Min(floor, 1.0, result);
        return result;
    }
}

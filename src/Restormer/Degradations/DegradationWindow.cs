using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Degrades one window of a photograph rather than all of it: the window is cut with a margin of real content
/// around it, degraded, and the margin cut away, so blur at the window's edges sees the scene and not a padded
/// border. On large photographs this is far cheaper than degrading the whole image for one training patch.
/// </summary>
public static class DegradationWindow
{
    /// <summary>Pixels degraded around the window and cut away after: more than the largest blur reaches.</summary>
    public const int Margin = 32;

    /// <summary>
    /// Degrades a <paramref name="size"/>² window (clipped to the image) of <paramref name="image"/> (8- or 16-bit, or
    /// float in [0, 1]): a random window when <paramref name="random"/>, else the centre one. Returns the degraded
    /// window and its target as float images in [0, 1]; the caller disposes both.
    /// </summary>
    public static (Mat Degraded, Mat Target) Degrade(DegradationPipeline pipeline, Mat image, int size, bool random, Random rng)
    {
        int width = Math.Min(size, image.Width), height = Math.Min(size, image.Height);
        int left = random ? rng.Next(0, image.Width - width + 1) : (image.Width - width) / 2;
        int top = random ? rng.Next(0, image.Height - height + 1) : (image.Height - height) / 2;
        int x0 = Math.Max(0, left - Margin), y0 = Math.Max(0, top - Margin);
        int x1 = Math.Min(image.Width, left + width + Margin), y1 = Math.Min(image.Height, top + height + Margin);
        using var region = ToFloat(image[new Rect(x0, y0, x1 - x0, y1 - y0)]);
        var (degraded, target, kernel) = pipeline.ApplyPair(region, rng);
        kernel?.Dispose();
        var window = new Rect(left - x0, top - y0, width, height);
        using (degraded)
        using (target)
            return (degraded[window].Clone(), target[window].Clone());
    }

    /// <summary>An 8-bit, 16-bit or float image as a new float image in [0, 1].</summary>
    public static Mat ToFloat(Mat image)
    {
        var scale = image.Depth() switch
        {
            MatType.CV_8U => 1.0 / 255,
            MatType.CV_16U => 1.0 / 65535,
            MatType.CV_32F => 1.0,
            _ => throw new ArgumentException($"Only 8-bit, 16-bit and float images can be degraded; got {image.Type()}."),
        };
        var result = new Mat();
        image.ConvertTo(result, MatType.CV_32FC(image.Channels()), scale);
        return result;
    }
}

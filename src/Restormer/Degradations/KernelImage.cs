using OpenCvSharp;
using Restormer.IO;

namespace Restormer.Degradations;

/// <summary>Writes blur kernels as images a person can look at (a raw kernel's values are far too small to see).</summary>
public static class KernelImage
{
    /// <summary>
    /// Saves <paramref name="kernel"/> (single-channel float) as an 8-bit grey image scaled so its largest value is
    /// white; the format follows the extension of <paramref name="path"/> (use .png to stay lossless). Written atomically.
    /// </summary>
    public static void Save(Mat kernel, string path)
    {
        if (kernel.Empty() || kernel.Channels() != 1)
            throw new ArgumentException("A kernel image needs a non-empty single-channel kernel.", nameof(kernel));
        kernel.MinMaxLoc(out double _, out double max);
        using var image = new Mat();
        kernel.ConvertTo(image, MatType.CV_8UC1, max > 0 ? 255.0 / max : 0);
        AtomicFile.Write(path, (string temp) =>
        {
            if (!Cv2.ImWrite(temp, image))
                throw new IOException($"OpenCV could not write the kernel image '{path}'; use a .png path.");
        });
    }
}

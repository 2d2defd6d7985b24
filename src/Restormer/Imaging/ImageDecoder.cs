using OpenCvSharp;
using Restormer.IO;

namespace Restormer.Imaging;

/// <summary>
/// The checks every image file passes before it is decoded (<see cref="Check"/>, for <see cref="ImageFile.Read"/> too):
/// it must be a regular file (a FIFO or device is never opened: reading one can block for ever), its header must
/// declare a size within the pixel limit (<see cref="ImageLimits"/>: decompression bombs are refused before they cost
/// memory) and it must be complete (<see cref="ImageIntegrity"/>: no grey-filled truncated JPEGs). <see cref="Read"/>
/// then decodes to an OpenCV Mat for the Linux-only code that works with Mats (training data, degrade, evaluate); what
/// OpenCV cannot decode is tried with libvips (<see cref="VipsDecoder"/>); after decoding, only 8- and 16-bit images
/// with 1 to 4 channels are accepted. Every refusal is an <see cref="ImageReadException"/> naming the file.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Decodes <paramref name="path"/> with OpenCV's <paramref name="mode"/> (EXIF orientation applied unless the mode
    /// says otherwise). <paramref name="maxPixels"/>: null for <see cref="ImageLimits.MaxPixels"/>.
    /// </summary>
    public static Mat Read(string path, ImreadModes mode, long? maxPixels = null)
    {
        Check(path, maxPixels ?? ImageLimits.MaxPixels);
        return Decode(path, mode);
    }

    private static Mat Decode(string path, ImreadModes mode)
    {
        Mat pixels;
        try
        {
            pixels = Cv2.ImRead(path, mode);
        }
        catch (OpenCVException e)
        {
            pixels = VipsDecoder.TryRead(path, mode) ?? throw new ImageReadException(path, $"neither OpenCV nor libvips can decode it ({e.Message})");
        }
        if (pixels.Empty() && VipsDecoder.TryRead(path, mode) is { } decoded)
        {
            pixels.Dispose();
            pixels = decoded;
        }
        var problem = pixels.Empty() ? "not an image OpenCV or libvips can decode (corrupt, truncated or an unsupported variant)"
            : pixels.Depth() != MatType.CV_8U && pixels.Depth() != MatType.CV_16U ? $"its pixels are {DepthName(pixels.Depth())}; only 8- and 16-bit images are read: convert it first"
            : pixels.Channels() > 4 ? $"it has {pixels.Channels()} channels; only gray, colour and either with alpha are read"
            : null;
        if (problem is null) return pixels;
        pixels.Dispose();
        throw new ImageReadException(path, problem);
    }

    /// <summary>The checks made before decoding; throws <see cref="ImageReadException"/> on the first that fails.</summary>
    public static ImageHeader Check(string path, long maxPixels)
    {
        if (FileKind.NotRegular(path) is { } kind)
            throw new ImageReadException(path, kind == "missing" ? "no such file" : $"{kind}, not an image file (not opened)");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
        if (stream.Length == 0)
            throw new ImageReadException(path, "the file is empty");
        var header = ImageHeader.Read(stream, out var problem) ?? throw new ImageReadException(path, problem!);
        if (header.Pixels > maxPixels)
            throw new ImageTooLargeException(path,
                $"its header declares {header.Width}×{header.Height} = {ImageLimits.Megapixels(header.Pixels)}, over the limit of {ImageLimits.Megapixels(maxPixels)} " +
                $"(raise it with --max-pixels or {ImageLimits.EnvironmentVariable} if the image is genuine and memory allows)");
        stream.Position = 0;
        if (ImageIntegrity.Problem(stream, header) is { } incomplete)
            throw new ImageReadException(path, incomplete);
        return header;
    }

    private static string DepthName(MatType depth) =>
        depth == MatType.CV_8S ? "8-bit signed" : depth == MatType.CV_16S ? "16-bit signed" : depth == MatType.CV_32S ? "32-bit integers"
        : depth == MatType.CV_32F ? "32-bit floating point" : depth == MatType.CV_64F ? "64-bit floating point" : depth.ToString();
}

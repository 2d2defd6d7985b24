using OpenCvSharp;
using Restormer.IO;

namespace Restormer.Imaging;

/// <summary>
/// A decoded photograph as OpenCV gives it (BGR or gray, 8 or 16 bits per channel, EXIF orientation applied) with
/// its alpha channel and metadata kept aside, so restoration sees colour only and both pass through unchanged.
/// Owns its Mats: <see cref="Dispose"/> frees their native memory.
/// </summary>
public sealed class ImageFile : IDisposable
{
    /// <summary>Colour (BGR) or gray pixels, 8-bit or 16-bit unsigned.</summary>
    public Mat Pixels { get; }
    /// <summary>The alpha channel, same depth and size as <see cref="Pixels"/>, or null.</summary>
    public Mat? Alpha { get; }
    /// <summary>Width in pixels, after EXIF orientation.</summary>
    public int Width => Pixels.Width;
    /// <summary>Height in pixels, after EXIF orientation.</summary>
    public int Height => Pixels.Height;
    /// <summary>Colour channels without alpha: 3 (BGR) or 1 (gray).</summary>
    public int Channels => Pixels.Channels();
    /// <summary>8 or 16.</summary>
    public int BitDepth => Pixels.Depth() == MatType.CV_16U ? 16 : 8;
    /// <summary>The file's EXIF, XMP and ICC profile, written again by <see cref="Write"/>.</summary>
    public ImageMetadata Metadata { get; init; } = ImageMetadata.None;

    /// <summary>Wraps decoded pixels and an optional alpha of the same size; the image takes ownership of both Mats.</summary>
    public ImageFile(Mat pixels, Mat? alpha = null)
    {
        if (pixels.Depth() != MatType.CV_8U && pixels.Depth() != MatType.CV_16U)
            throw new ArgumentException("Only 8-bit and 16-bit images are supported.", nameof(pixels));
        Pixels = pixels;
        Alpha = alpha;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> as the reference does (OpenCV, EXIF orientation honoured), keeping 16-bit depth,
    /// through <see cref="ImageDecoder"/>'s checks (regular file, declared size within <paramref name="maxPixels"/>,
    /// complete, 8/16-bit with 1–4 channels). <paramref name="grayscale"/> reads one channel (the gray denoising
    /// model); else a file OpenCV reads as gray gives one channel and any other three (it reports a PNG's gray + alpha
    /// as four channels, so such a file gives three equal ones). Throws <see cref="ImageReadException"/> naming the file
    /// when it cannot be read.
    /// </summary>
    public static ImageFile Read(string path, bool grayscale = false, long? maxPixels = null)
    {
        using var raw = ImageDecoder.Read(path, ImreadModes.Unchanged, maxPixels);
        bool oneChannel = grayscale || raw.Channels() <= 2;
        var pixels = ImageDecoder.Decode(path, (oneChannel ? ImreadModes.Grayscale : ImreadModes.Color) | ImreadModes.AnyDepth);
        return new ImageFile(pixels, ReadAlpha(raw, pixels)) { Metadata = ImageMetadata.Read(path) };
    }

    /// <summary>
    /// OpenCV drops alpha when it applies EXIF orientation, and keeps alpha only when it ignores orientation. So we decode
    /// the raw file too and, if it has alpha, give the alpha the same rotation/flip that maps raw colour to oriented colour.
    /// </summary>
    private static Mat? ReadAlpha(Mat raw, Mat oriented)
    {
        if (raw.Channels() != 4 && raw.Channels() != 2) return null;
        var planes = raw.Split();
        using var rawColour = new Mat();
        if (raw.Channels() == 4)
            Cv2.CvtColor(raw, rawColour, oriented.Channels() == 3 ? ColorConversionCodes.BGRA2BGR : ColorConversionCodes.BGRA2GRAY);
        else if (oriented.Channels() == 3)
            Cv2.CvtColor(planes[0], rawColour, ColorConversionCodes.GRAY2BGR);
        else
            planes[0].CopyTo(rawColour);
        var alpha = planes[^1];
        foreach (var p in planes[..^1]) p.Dispose();
        if (alpha.Depth() != oriented.Depth())
        {
            var scaled = new Mat();
            alpha.ConvertTo(scaled, oriented.Depth(), oriented.Depth() == MatType.CV_16U ? 257.0 : 1.0 / 257.0);
            alpha.Dispose();
            alpha = scaled;
        }
        foreach (var transform in Orientation.All)
        {
            using var candidate = transform.Apply(rawColour);
            if (candidate.Size() == oriented.Size() && candidate.Type() == oriented.Type() && Cv2.Norm(candidate, oriented, NormTypes.INF) == 0)
            {
                var result = transform.Apply(alpha);
                alpha.Dispose();
                return result;
            }
        }
        return alpha.Size() == oriented.Size() ? alpha : null;
    }

    /// <summary>Writes a PNG (same bit depth, alpha and metadata re-attached) atomically.</summary>
    public void WritePng(string path) => Write(path, new ImageSaveOptions());

    /// <summary>
    /// Writes the image in <paramref name="options"/>' format atomically (a crash never leaves half a file), with the
    /// alpha re-attached where the format holds it and, unless turned off, the metadata (EXIF orientation set to 1).
    /// </summary>
    public void Write(string path, ImageSaveOptions options)
    {
        options = options.Validated();
        using var merged = Alpha is null ? null : MergeAlpha();
        AtomicFile.Write(path, (string temp) =>
        {
            try
            {
                ImageEncoder.Write(merged ?? Pixels, temp, options, options.KeepMetadata ? Metadata : Metadata.ColourOnly);
            }
            catch (NetVips.VipsException e)
            {
                throw new IOException($"Could not write '{path}' as {options.Format}: {e.Message.Trim()}", e);
            }
        });
    }

    private Mat MergeAlpha()
    {
        var merged = new Mat();
        if (Pixels.Channels() == 1)
            Cv2.Merge([Pixels, Alpha!], merged);
        else
            Cv2.Merge([.. Pixels.Split(), Alpha!], merged);
        return merged;
    }

    /// <summary>Frees the pixels' and the alpha's native memory.</summary>
    public void Dispose()
    {
        Pixels.Dispose();
        Alpha?.Dispose();
    }
}

using OpenCvSharp;
using Restormer.IO;

namespace Restormer.Imaging;

/// <summary>
/// A decoded photograph (colour or gray, 8 or 16 bits per channel, EXIF orientation applied) with its alpha channel
/// and metadata kept aside, so restoration sees colour only and both pass through unchanged. Read and written with
/// libvips on every platform; <see cref="Pixels"/> and <see cref="Alpha"/> give OpenCV's view (BGR Mats) to code that
/// works with OpenCV (Linux). Owns its Mats: <see cref="Dispose"/> frees their native memory.
/// </summary>
public sealed class ImageFile : IDisposable
{
    // The pixels as read (RGB order), until a caller asks for Mats; Mats, once they exist, are what the image holds.
    private readonly ImageRaster? colour, alphaRaster;
    private Mat? pixels, alpha;

    /// <summary>Colour (BGR) or gray pixels, 8-bit or 16-bit unsigned, as an OpenCV Mat (made on first use for a read image).</summary>
    public Mat Pixels => pixels ??= colour!.ToMat();
    /// <summary>The alpha channel, same depth and size as <see cref="Pixels"/>, or null.</summary>
    public Mat? Alpha => alpha ??= alphaRaster?.ToMat();
    /// <summary>Width in pixels, after EXIF orientation.</summary>
    public int Width => colour?.Width ?? pixels!.Width;
    /// <summary>Height in pixels, after EXIF orientation.</summary>
    public int Height => colour?.Height ?? pixels!.Height;
    /// <summary>Colour channels without alpha: 3 (BGR) or 1 (gray).</summary>
    public int Channels => colour?.Bands ?? pixels!.Channels();
    /// <summary>8 or 16.</summary>
    public int BitDepth => colour?.BitDepth ?? (pixels!.Depth() == MatType.CV_16U ? 16 : 8);
    /// <summary>The file's EXIF, XMP and ICC profile, written again by <see cref="Write"/>.</summary>
    public ImageMetadata Metadata { get; init; } = ImageMetadata.None;

    /// <summary>The colour pixels in RGB order: the Mat's, if there is one (a caller may have changed it), else as read.</summary>
    internal ImageRaster Colour => pixels is not null ? ImageRaster.FromMat(pixels) : colour!;

    /// <summary>The alpha, like <see cref="Colour"/>; null when there is none.</summary>
    internal ImageRaster? AlphaRaster => alpha is not null ? ImageRaster.FromMat(alpha) : alphaRaster;

    /// <summary>Wraps decoded pixels and an optional alpha of the same size; the image takes ownership of both Mats.</summary>
    public ImageFile(Mat pixels, Mat? alpha = null)
    {
        if (pixels.Depth() != MatType.CV_8U && pixels.Depth() != MatType.CV_16U)
            throw new ArgumentException("Only 8-bit and 16-bit images are supported.", nameof(pixels));
        this.pixels = pixels;
        this.alpha = alpha;
    }

    /// <summary>Wraps pixels in managed memory: colour (RGB) or gray, and an optional one-band alpha of the same size and depth.</summary>
    internal ImageFile(ImageRaster colour, ImageRaster? alpha)
    {
        if (colour.Bands is not (1 or 3)) throw new ArgumentException($"An image's colour has 1 or 3 bands, not {colour.Bands}.", nameof(colour));
        this.colour = colour;
        alphaRaster = alpha;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> with libvips (EXIF orientation honoured, as the reference's OpenCV does), keeping
    /// 16-bit depth, through <see cref="ImageDecoder"/>'s checks (regular file, declared size within
    /// <paramref name="maxPixels"/>, complete) and only 8/16-bit with 1–4 channels. <paramref name="grayscale"/> reads one
    /// channel (the gray denoising model); else a gray file (with or without alpha) gives one channel and any other
    /// three. Throws <see cref="ImageReadException"/> naming the file when it cannot be read.
    /// </summary>
    public static ImageFile Read(string path, bool grayscale = false, long? maxPixels = null)
    {
        ImageDecoder.Check(path, maxPixels ?? ImageLimits.MaxPixels);
        var (colour, alpha) = VipsDecoder.Read(path, grayscale);
        return new ImageFile(colour, alpha) { Metadata = ImageMetadata.Read(path) };
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
        var merged = AlphaRaster is { } a ? Colour.WithAlpha(a) : Colour;
        AtomicFile.Write(path, (string temp) =>
        {
            try
            {
                ImageEncoder.Write(merged, temp, options, options.KeepMetadata ? Metadata : Metadata.ColourOnly);
            }
            catch (NetVips.VipsException e)
            {
                throw new IOException($"Could not write '{path}' as {options.Format}: {e.Message.Trim()}", e);
            }
        });
    }

    /// <summary>Frees the Mats' native memory.</summary>
    public void Dispose()
    {
        pixels?.Dispose();
        alpha?.Dispose();
    }
}

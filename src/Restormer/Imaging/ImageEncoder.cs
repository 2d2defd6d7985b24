using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// Encodes pixels to PNG, JPEG, WebP or TIFF with libvips, which writes the metadata blocks (EXIF, XMP, ICC) into
/// every one of these formats and keeps 16 bits in PNG and TIFF. JPEG and WebP hold 8 bits, so 16-bit pixels are
/// scaled down first; JPEG has no alpha, so alpha is dropped there.
/// </summary>
internal static class ImageEncoder
{
    /// <summary>Writes <paramref name="pixels"/> (RGB, RGBA, gray or gray+alpha; 8 or 16 bits) to <paramref name="path"/>.</summary>
    public static void Write(ImageRaster pixels, string path, ImageSaveOptions options, ImageMetadata metadata)
    {
        LibVips.Configure();
        if (options.Format == ImageFormat.Jpeg && pixels.Bands is 2 or 4) pixels = pixels.FirstBands(pixels.Bands - 1);
        if (options.Format is ImageFormat.Jpeg or ImageFormat.WebP) pixels = pixels.Narrowed();
        using var raw = pixels.ToVips();
        using var typed = raw.Copy(interpretation: (pixels.Bands >= 3, pixels.Wide) switch
        {
            (true, true) => Enums.Interpretation.Rgb16,
            (true, false) => Enums.Interpretation.Srgb,
            (false, true) => Enums.Interpretation.Grey16,
            (false, false) => Enums.Interpretation.Bw,
        });
        using var tagged = typed.Mutate(metadata.AttachTo);
        // The saver is named, not guessed from the file name: --format may differ from the output's extension.
        switch (options.Format)
        {
            case ImageFormat.Jpeg: tagged.Jpegsave(path, q: options.Quality); break;
            case ImageFormat.WebP: tagged.Webpsave(path, q: options.Quality); break;
            case ImageFormat.Tiff: tagged.Tiffsave(path, compression: Enums.ForeignTiffCompression.Deflate); break;
            default: tagged.Pngsave(path); break;
        }
    }
}

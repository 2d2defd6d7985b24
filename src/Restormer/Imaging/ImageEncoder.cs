using NetVips;
using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>
/// Encodes pixels to PNG, JPEG, WebP or TIFF with libvips, which writes the metadata blocks (EXIF, XMP, ICC) into
/// every one of these formats and keeps 16 bits in PNG and TIFF. JPEG and WebP hold 8 bits, so 16-bit pixels are
/// scaled down first; JPEG has no alpha, so alpha is dropped there.
/// </summary>
internal static class ImageEncoder
{
    /// <summary>Writes <paramref name="pixels"/> (BGR, BGRA, gray or gray+alpha; 8 or 16 bits) to <paramref name="path"/>.</summary>
    public static void Write(Mat pixels, string path, ImageSaveOptions options, ImageMetadata metadata)
    {
        LibVips.Configure();
        using var prepared = Prepare(pixels, options.Format);
        var source = prepared ?? pixels;
        bool wide = source.Depth() == MatType.CV_16U;
        int bands = source.Channels();
        using var raw = Image.NewFromMemoryCopy(source.Data, (ulong)(source.Total() * source.ElemSize()), source.Width, source.Height, bands,
            wide ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar);
        using var typed = raw.Copy(interpretation: (bands >= 3, wide) switch
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

    /// <summary>RGB(A) order, and 8 bits without alpha for JPEG / 8 bits for WebP; null when nothing changes.</summary>
    private static Mat? Prepare(Mat pixels, ImageFormat format)
    {
        Mat? result = null;
        Mat Current() => result ?? pixels;
        void Replace(Mat next) { result?.Dispose(); result = next; }

        if (format == ImageFormat.Jpeg && Current().Channels() is 2 or 4)
        {
            var opaque = new Mat();
            if (Current().Channels() == 4) Cv2.CvtColor(Current(), opaque, ColorConversionCodes.BGRA2BGR);
            else Cv2.ExtractChannel(Current(), opaque, 0);
            Replace(opaque);
        }
        if (format is ImageFormat.Jpeg or ImageFormat.WebP && Current().Depth() == MatType.CV_16U)
        {
            var narrow = new Mat();
            Current().ConvertTo(narrow, MatType.CV_8U, 1.0 / 257);
            Replace(narrow);
        }
        if (Current().Channels() >= 3)
        {
            var rgb = new Mat();
            Cv2.CvtColor(Current(), rgb, Current().Channels() == 4 ? ColorConversionCodes.BGRA2RGBA : ColorConversionCodes.BGR2RGB);
            Replace(rgb);
        }
        if (result is not null && !result.IsContinuous()) Replace(result.Clone());
        return result ?? (pixels.IsContinuous() ? null : pixels.Clone());
    }
}

using OpenCvSharp;
using Restormer.Imaging;

namespace Restormer.Tests.Imaging;

/// <summary>
/// TIFFs are told by their signature and read by whichever decoder can: plain TIFFs that MetadataExtractor took for a
/// camera raw file (libvips' uncompressed ones, as Pillow's), and a WebP-compressed TIFF that OpenCV's libtiff cannot
/// decode but libvips can, each giving the source's pixels exactly, as colour, gray + alpha and 16 bits.
/// </summary>
public class TiffVariantTests
{
    /// <summary>A photo crop as 8-bit BGR, and as the given layout.</summary>
    static Mat Source(int channels, bool wide)
    {
        using var photo = Cv2.ImRead(Directory.GetFiles(Path.Combine(TestPaths.Shared, "data", "samples", "motion_blur"), "*.png").Order().First());
        using var crop = new Mat(photo, new Rect(400, 200, 48, 32));
        var shaped = new Mat();
        switch (channels)
        {
            case 1: Cv2.CvtColor(crop, shaped, ColorConversionCodes.BGR2GRAY); break;
            case 4: Cv2.CvtColor(crop, shaped, ColorConversionCodes.BGR2BGRA); break;
            default: crop.CopyTo(shaped); break;
        }
        if (!wide) return shaped;
        var deep = new Mat();
        shaped.ConvertTo(deep, MatType.CV_16U, 257);
        shaped.Dispose();
        return deep;
    }

    /// <summary>Writes <paramref name="pixels"/> (BGR order) as a TIFF with libvips, in <paramref name="compression"/>.</summary>
    static void WriteTiff(Mat pixels, string path, NetVips.Enums.ForeignTiffCompression compression)
    {
        using var rgb = new Mat();
        if (pixels.Channels() >= 3) Cv2.CvtColor(pixels, rgb, pixels.Channels() == 4 ? ColorConversionCodes.BGRA2RGBA : ColorConversionCodes.BGR2RGB);
        else pixels.CopyTo(rgb);
        bool wide = rgb.Depth() == MatType.CV_16U;
        using var image = NetVips.Image.NewFromMemoryCopy(rgb.Data, (ulong)(rgb.Total() * rgb.ElemSize()), rgb.Width, rgb.Height, rgb.Channels(),
            wide ? NetVips.Enums.BandFormat.Ushort : NetVips.Enums.BandFormat.Uchar);
        using var typed = image.Copy(interpretation: rgb.Channels() >= 3 ? (wide ? NetVips.Enums.Interpretation.Rgb16 : NetVips.Enums.Interpretation.Srgb)
                                                                          : (wide ? NetVips.Enums.Interpretation.Grey16 : NetVips.Enums.Interpretation.Bw));
        typed.Tiffsave(path, compression: compression, lossless: true);
    }

    static double MaxDifference(Mat a, Mat b)
    {
        Assert.Equal(a.Size(), b.Size());
        Assert.Equal(a.Type(), b.Type());
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        Cv2.MinMaxLoc(difference.Reshape(1), out _, out double max);
        return max;
    }

    [Theory]
    [InlineData(NetVips.Enums.ForeignTiffCompression.None, 3, false)]   // detected as a Sony raw by MetadataExtractor
    [InlineData(NetVips.Enums.ForeignTiffCompression.Webp, 3, false)]   // OpenCV's libtiff has no WebP codec
    [InlineData(NetVips.Enums.ForeignTiffCompression.None, 1, true)]
    public void TiffsAreReadWithTheSourcesPixels(NetVips.Enums.ForeignTiffCompression compression, int channels, bool wide)
    {
        using var folder = TestPaths.NewTempFolder("tiff");
        using var source = Source(channels, wide);
        var path = folder["photo.tif"];
        WriteTiff(source, path, compression);

        using var header = File.OpenRead(path);
        Assert.Equal(MetadataExtractor.Util.FileType.Tiff, ImageHeader.Read(header, out var problem)?.Format);
        Assert.Null(problem);
        using var image = ImageFile.Read(path, grayscale: channels == 1);
        Assert.Equal(0, MaxDifference(image.Pixels, source));
    }

    [Fact]
    public void AWebPTiffWithAlphaKeepsItsAlpha()
    {
        using var folder = TestPaths.NewTempFolder("tiff");
        using var source = Source(4, wide: false);
        var path = folder["alpha.tif"];
        WriteTiff(source, path, NetVips.Enums.ForeignTiffCompression.Webp);
        using var image = ImageFile.Read(path);
        using var colour = new Mat();
        Cv2.CvtColor(source, colour, ColorConversionCodes.BGRA2BGR);
        Assert.Equal(0, MaxDifference(image.Pixels, colour));
        Assert.NotNull(image.Alpha);
    }
}

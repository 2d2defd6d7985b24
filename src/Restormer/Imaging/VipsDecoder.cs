using NetVips;
using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>
/// Decodes with libvips what OpenCV cannot: TIFF variants its libtiff build lacks (WebP or Zstandard compression, among
/// others). The result is what OpenCV gives for the same mode: the first page, BGR(A) or gray, 8 or 16 bits, EXIF
/// orientation applied unless the mode ignores it; null when libvips cannot decode the file either, or when its samples
/// are not 8- or 16-bit unsigned (the caller refuses those in one line).
/// </summary>
internal static class VipsDecoder
{
    public static Mat? TryRead(string path, ImreadModes mode)
    {
        LibVips.Configure();
        try
        {
            // Fail on errors: a libtiff without the file's codec otherwise "decodes" it to black.
            using var loaded = Image.NewFromFile(path, failOn: Enums.FailOn.Error);
            using var oriented = mode.HasFlag(ImreadModes.IgnoreOrientation) ? loaded.Copy() : loaded.Autorot();
            bool wide = oriented.Format == Enums.BandFormat.Ushort;
            if (!wide && oriented.Format != Enums.BandFormat.Uchar) return null;
            using var shaped = Shape(oriented, mode, wide);
            return ToMat(shaped);
        }
        catch (VipsException)
        {
            return null;
        }
    }

    /// <summary>The bands OpenCV's mode asks for: colour (three, alpha dropped), gray (one), or as stored (gray or colour, with alpha).</summary>
    private static Image Shape(Image image, ImreadModes mode, bool wide)
    {
        var colour = wide ? Enums.Interpretation.Rgb16 : Enums.Interpretation.Srgb;
        var grey = wide ? Enums.Interpretation.Grey16 : Enums.Interpretation.Bw;
        bool hasColour = image.Bands >= 3;
        // CMYK, Lab and the like become sRGB; gray stays gray.
        using var normal = hasColour ? image.Colourspace(colour) : image.Copy();
        // OpenCV's modes are bits, but Unchanged is -1 (every bit: as stored, orientation ignored) and Grayscale is 0.
        bool unchanged = mode < 0, colourWanted = !unchanged && (mode & ImreadModes.Color) != 0;
        if (!unchanged && !colourWanted)
        {
            using var gray = hasColour ? normal.Colourspace(grey) : normal.Copy();
            return gray.ExtractBand(0);
        }
        if (colourWanted)
        {
            if (normal.Bands >= 3) return normal.ExtractBand(0, n: 3);
            using var single = normal.ExtractBand(0);
            return single.Bandjoin(single, single);
        }
        if (normal.Bands == 2)
        {
            // OpenCV gives gray + alpha as four channels (three equal ones and the alpha); so does this.
            using var value = normal.ExtractBand(0);
            using var alpha = normal.ExtractBand(1);
            return value.Bandjoin(value, value, alpha);
        }
        return normal.Bands > 4 ? normal.ExtractBand(0, n: 4) : normal.Copy();
    }

    /// <summary>The pixels as a Mat; null when a colour conversion left samples that are not 8- or 16-bit unsigned (a damaged file's odd tags).</summary>
    private static Mat? ToMat(Image image)
    {
        if (image.Format is not (Enums.BandFormat.Uchar or Enums.BandFormat.Ushort)) return null;
        bool wide = image.Format == Enums.BandFormat.Ushort;
        int bands = image.Bands;
        var mat = new Mat(image.Height, image.Width, MatType.MakeType(wide ? MatType.CV_16U : MatType.CV_8U, bands));
        // The raw buffer: the byte[] overload refuses band formats that do not match the image's interpretation tag.
        var buffer = image.WriteToMemory(out ulong size);
        try
        {
            if (size != (ulong)(mat.Total() * mat.ElemSize()))
            {
                mat.Dispose();
                return null;
            }
            unsafe { Buffer.MemoryCopy((void*)buffer, (void*)mat.Data, (long)size, (long)size); }
        }
        finally
        {
            NetVips.NetVips.Free(buffer);
        }
        if (bands >= 3) Cv2.CvtColor(mat, mat, bands == 4 ? ColorConversionCodes.RGBA2BGRA : ColorConversionCodes.RGB2BGR);
        return mat;
    }
}

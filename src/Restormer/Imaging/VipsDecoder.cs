using NetVips;
using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>
/// Decodes image files with libvips: every photograph that is restored (<see cref="Read"/>, for
/// <see cref="ImageFile.Read"/>), and, for the Linux-only code that reads Mats through OpenCV (training, degradation,
/// metrics), what OpenCV cannot decode (<see cref="TryRead"/>: TIFF variants its libtiff build lacks, WebP or Zstandard
/// compression among others).
/// </summary>
internal static class VipsDecoder
{
    /// <summary>
    /// The first page of <paramref name="path"/>, EXIF orientation applied to colour and alpha alike, as colour (RGB)
    /// or gray, 8 or 16 bits, and its alpha apart. CMYK, Lab and the like become sRGB; <paramref name="grayscale"/>
    /// takes colour to its luma as OpenCV weighs it. Throws <see cref="ImageReadException"/> for what cannot be decoded
    /// or is not 8/16-bit with 1 to 4 channels.
    /// </summary>
    public static (ImageRaster Colour, ImageRaster? Alpha) Read(string path, bool grayscale)
    {
        LibVips.Configure();
        try
        {
            using var loaded = Load(path);
            using var oriented = loaded.Autorot();
            var problem = oriented.Format switch
            {
                Enums.BandFormat.Uchar or Enums.BandFormat.Ushort => oriented.Bands > 4
                    ? $"it has {oriented.Bands} channels; only gray, colour and either with alpha are read" : null,
                Enums.BandFormat.Char => "8-bit signed",
                Enums.BandFormat.Short => "16-bit signed",
                Enums.BandFormat.Int or Enums.BandFormat.Uint => "32-bit integers",
                Enums.BandFormat.Float => "32-bit floating point",
                Enums.BandFormat.Double => "64-bit floating point",
                _ => oriented.Format.ToString(),
            };
            if (problem is not null)
                throw new ImageReadException(path, problem.StartsWith("it has") ? problem : $"its pixels are {problem}; only 8- and 16-bit images are read: convert it first");
            bool wide = oriented.Format == Enums.BandFormat.Ushort;
            // Colour kept in another space (CMYK, Lab, …) becomes sRGB first; its alpha, if any, goes along.
            using var normal = oriented.Interpretation is Enums.Interpretation.Cmyk or Enums.Interpretation.Lab or Enums.Interpretation.Labs
                or Enums.Interpretation.Labq or Enums.Interpretation.Lch or Enums.Interpretation.Cmc or Enums.Interpretation.Xyz
                or Enums.Interpretation.Yxy or Enums.Interpretation.Hsv or Enums.Interpretation.Scrgb
                ? oriented.Colourspace(wide ? Enums.Interpretation.Rgb16 : Enums.Interpretation.Srgb) : oriented.Copy();
            if (normal.Format is not (Enums.BandFormat.Uchar or Enums.BandFormat.Ushort))
                throw new ImageReadException(path, $"its colours could not be taken to 8- or 16-bit RGB (they came out as {normal.Format})");
            return Split(ImageRaster.FromVips(normal), grayscale);
        }
        catch (VipsException e)
        {
            // No loader in libvips' packaged build (BMP and PPM/PGM need ImageMagick there): OpenCV reads them where it is installed.
            return (e.Message.Contains("is not a known file format") ? WithOpenCv(path, grayscale) : null)
                ?? throw new ImageReadException(path, $"not an image libvips can decode (corrupt, truncated or an unsupported variant): {e.Message.Trim()}");
        }
    }

    /// <summary>Colour (RGB or gray; its luma when <paramref name="grayscale"/>) and alpha apart.</summary>
    private static (ImageRaster Colour, ImageRaster? Alpha) Split(ImageRaster all, bool grayscale)
    {
        bool hasAlpha = all.Bands is 2 or 4;
        int colourBands = all.Bands - (hasAlpha ? 1 : 0);
        var colour = hasAlpha ? all.FirstBands(colourBands) : all;
        if (grayscale && colourBands == 3) colour = colour.Luma();
        return (colour, hasAlpha ? all.Band(colourBands) : null);
    }

    /// <summary>
    /// A file libvips has no loader for, decoded by OpenCV where its native library is installed (Linux); null where
    /// it is absent (Windows, macOS) or cannot decode the file either. The header and completeness checks came first.
    /// </summary>
    private static (ImageRaster Colour, ImageRaster? Alpha)? WithOpenCv(string path, bool grayscale)
    {
        if (!OpenCvNative.Available) return null;
        using var mat = Cv2.ImRead(path, ImreadModes.Unchanged); // BMP and Netpbm carry no orientation to apply
        if (mat.Empty() || mat.Depth() != MatType.CV_8U && mat.Depth() != MatType.CV_16U || mat.Channels() > 4) return null;
        return Split(ImageRaster.FromMat(mat), grayscale);
    }

    /// <summary>Opens the file, failing on codec errors: a libtiff without the file's codec otherwise "decodes" it to black.</summary>
    private static Image Load(string path) => Image.NewFromFile(path, failOn: Enums.FailOn.Error);

    /// <summary>
    /// What OpenCV gives for the same mode: the first page, BGR(A) or gray, 8 or 16 bits, EXIF orientation applied
    /// unless the mode ignores it; null when libvips cannot decode the file either, or when its samples are not 8- or
    /// 16-bit unsigned (the caller refuses those in one line).
    /// </summary>
    public static Mat? TryRead(string path, ImreadModes mode)
    {
        LibVips.Configure();
        try
        {
            using var loaded = Load(path);
            using var oriented = mode.HasFlag(ImreadModes.IgnoreOrientation) ? loaded.Copy() : loaded.Autorot();
            bool wide = oriented.Format == Enums.BandFormat.Ushort;
            if (!wide && oriented.Format != Enums.BandFormat.Uchar) return null;
            using var shaped = Shape(oriented, mode, wide);
            // A colour conversion of a damaged file's odd tags can leave other samples: no decode, as for OpenCV.
            return shaped.Format is Enums.BandFormat.Uchar or Enums.BandFormat.Ushort ? ImageRaster.FromVips(shaped).ToMat() : null;
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
}

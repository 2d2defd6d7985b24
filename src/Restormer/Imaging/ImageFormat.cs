namespace Restormer.Imaging;

/// <summary>The formats restored images can be written in.</summary>
public enum ImageFormat
{
    /// <summary>Lossless, 8 or 16 bits, alpha kept. The default.</summary>
    Png,
    /// <summary>Lossy (see <see cref="ImageSaveOptions.Quality"/>), 8 bits, no alpha.</summary>
    Jpeg,
    /// <summary>Lossy (see <see cref="ImageSaveOptions.Quality"/>), 8 bits, alpha kept.</summary>
    WebP,
    /// <summary>Lossless (deflate), 8 or 16 bits, alpha kept.</summary>
    Tiff,
}

/// <summary>Names and file extensions of <see cref="ImageFormat"/>.</summary>
public static class ImageFormats
{
    private static readonly Dictionary<string, ImageFormat> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["png"] = ImageFormat.Png, ["jpg"] = ImageFormat.Jpeg, ["jpeg"] = ImageFormat.Jpeg,
        ["webp"] = ImageFormat.WebP, ["tif"] = ImageFormat.Tiff, ["tiff"] = ImageFormat.Tiff,
    };

    /// <summary>The names <see cref="Parse"/> accepts, as a user would type them.</summary>
    public const string Names = "png, jpg, webp, tiff";

    /// <summary>Parses <c>png</c>, <c>jpg</c>/<c>jpeg</c>, <c>webp</c>, <c>tif</c>/<c>tiff</c> (any case, with or without a dot).</summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the accepted ones.</exception>
    public static ImageFormat Parse(string name) =>
        ByName.TryGetValue(name.TrimStart('.'), out var format)
            ? format
            : throw new ArgumentException($"Unknown image format '{name}': use one of {Names}.");

    /// <summary>The format a file name's extension asks for, or null when it names none of ours.</summary>
    public static ImageFormat? FromPath(string path) =>
        ByName.TryGetValue(Path.GetExtension(path).TrimStart('.'), out var format) ? format : null;

    /// <summary>The extension outputs of this format get, with the dot.</summary>
    public static string Extension(this ImageFormat format) => format switch
    {
        ImageFormat.Png => ".png",
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.WebP => ".webp",
        ImageFormat.Tiff => ".tif",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}

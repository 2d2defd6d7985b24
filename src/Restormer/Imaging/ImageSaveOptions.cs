namespace Restormer.Imaging;

/// <summary>How a restored image is written: format, lossy quality, and whether the input's metadata is carried over.</summary>
public sealed record ImageSaveOptions
{
    /// <summary>The file format; the default is PNG.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Png;

    /// <summary>JPEG and WebP quality, 1–100 (ignored by the lossless formats).</summary>
    public int Quality { get; init; } = 95;

    /// <summary>
    /// Copy the input's EXIF (orientation reset to 1: it is applied to the pixels) and XMP; false drops them (camera,
    /// date, GPS position). The ICC profile is copied either way: it is what the pixel values mean, not about the photo.
    /// </summary>
    public bool KeepMetadata { get; init; } = true;

    /// <summary>Options for <paramref name="path"/>: the format its extension names (PNG when it names none), defaults otherwise.</summary>
    public static ImageSaveOptions For(string path) => new() { Format = ImageFormats.FromPath(path) ?? ImageFormat.Png };

    /// <summary>Throws <see cref="ArgumentException"/> when <see cref="Quality"/> is outside 1–100.</summary>
    public ImageSaveOptions Validated() =>
        Quality is >= 1 and <= 100 ? this : throw new ArgumentException($"Quality {Quality} is out of range: give 1 to 100.");
}

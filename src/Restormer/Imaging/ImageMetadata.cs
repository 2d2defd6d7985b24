using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// The metadata blocks of a photograph that a restored copy should keep: EXIF (camera, date, GPS…), XMP and the ICC
/// colour profile, as raw bytes. Read and written with libvips (NetVips), which parses only the file's header here.
/// </summary>
public sealed record ImageMetadata(byte[]? Exif, byte[]? Xmp, byte[]? Icc)
{
    /// <summary>No metadata.</summary>
    public static ImageMetadata None { get; } = new(null, null, null);

    /// <summary>The colour profile alone: what is left when EXIF and XMP are stripped.</summary>
    public ImageMetadata ColourOnly => this with { Exif = null, Xmp = null };

    /// <summary>True when no block is present.</summary>
    public bool IsEmpty => Exif is null && Xmp is null && Icc is null;

    /// <summary>
    /// The blocks of the image file at <see paramref="path"/>; <see cref="None"/> when libvips cannot read its header
    /// (the pixels are decoded elsewhere, which reports unreadable files).
    /// </summary>
    public static ImageMetadata Read(string path)
    {
        LibVips.Configure();
        try
        {
            using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
            return new ImageMetadata(Blob(header, "exif-data"), Blob(header, "xmp-data"), Blob(header, "icc-profile-data"));
        }
        catch (VipsException)
        {
            return None;
        }
    }

    /// <summary>
    /// Attaches the blocks to an image about to be saved. The EXIF orientation is set to 1 (upright): the pixels were
    /// already turned as it said, and a viewer must not turn them again.
    /// </summary>
    internal void AttachTo(MutableImage image)
    {
        if (Exif is not null)
        {
            image.Set(GValue.BlobType, "exif-data", Exif);
            image.Set(GValue.GIntType, "orientation", 1);
        }
        if (Xmp is not null) image.Set(GValue.BlobType, "xmp-data", Xmp);
        if (Icc is not null) image.Set(GValue.BlobType, "icc-profile-data", Icc);
    }

    private static byte[]? Blob(Image image, string name) =>
        image.Contains(name) && image.Get(name) is byte[] { Length: > 0 } bytes ? bytes : null;
}

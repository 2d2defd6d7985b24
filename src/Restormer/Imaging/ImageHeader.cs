using System.Buffers.Binary;
using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Netpbm;
using MetadataExtractor.Formats.Tiff;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.IO;
using MetadataExtractor.Util;

namespace Restormer.Imaging;

/// <summary>
/// An image file's format and the pixel size its header declares, read with MetadataExtractor without decoding
/// pixels, so a decompression bomb is refused before it costs memory. Only the chunks that carry the size are read
/// where the format allows (PNG's IHDR, JPEG's SOF), so compressed metadata is never inflated here.
/// </summary>
public sealed record ImageHeader(FileType Format, long Width, long Height)
{
    /// <summary>Formats OpenCV decodes whose size this reads; anything else is refused unread.</summary>
    public const string Supported = "PNG, JPEG, TIFF, BMP, WebP, GIF, PPM/PGM";

    /// <summary>Pixels declared (width × height).</summary>
    public long Pixels => Width * Height;

    /// <summary>The header of <paramref name="stream"/> (positioned at the start), or null with a reason when it has none this reads.</summary>
    public static ImageHeader? Read(Stream stream, out string? problem)
    {
        problem = null;
        FileType format;
        try
        {
            format = IsTiff(stream) ? FileType.Tiff : FileTypeDetector.DetectFileType(stream);
            stream.Position = 0;
            var size = format switch
            {
                FileType.Png => PngSize(stream),
                FileType.Jpeg => Size<JpegDirectory>(JpegMetadataReader.ReadMetadata(stream, [new JpegReader()]), JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight),
                FileType.Tiff => Size<ExifIfd0Directory>(TiffMetadataReader.ReadMetadata(stream), ExifDirectoryBase.TagImageWidth, ExifDirectoryBase.TagImageHeight),
                FileType.Bmp => Size<BmpHeaderDirectory>(ImageMetadataReader.ReadMetadata(stream), BmpHeaderDirectory.TagImageWidth, BmpHeaderDirectory.TagImageHeight),
                FileType.Gif => Size<GifHeaderDirectory>(ImageMetadataReader.ReadMetadata(stream), GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight),
                FileType.WebP => Size<WebPDirectory>(ImageMetadataReader.ReadMetadata(stream), WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight),
                FileType.Netpbm => Size<NetpbmHeaderDirectory>(ImageMetadataReader.ReadMetadata(stream), NetpbmHeaderDirectory.TagWidth, NetpbmHeaderDirectory.TagHeight),
                _ => null,
            };
            if (size is var (width, height) && width > 0 && height > 0)
                return new ImageHeader(format, width, height);
            problem = format is FileType.Png or FileType.Jpeg or FileType.Tiff or FileType.Bmp or FileType.Gif or FileType.WebP or FileType.Netpbm
                ? $"its {format} header declares no valid size (corrupt or truncated)"
                : $"not an image this tool reads ({Supported})";
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = $"its header cannot be read ({e.Message.TrimEnd('.')}): corrupt or truncated";
            return null;
        }
    }

    /// <summary>
    /// A TIFF by its signature (byte order "II" or "MM", then 42): MetadataExtractor's detector takes some plain TIFFs
    /// (Pillow's, libvips' uncompressed ones) for the camera raw formats built on TIFF, which this tool does not read.
    /// </summary>
    private static bool IsTiff(Stream stream)
    {
        Span<byte> start = stackalloc byte[4];
        int read = stream.ReadAtLeast(start, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 4 && ((start[0] == 'I' && start[1] == 'I' && start[2] == 42 && start[3] == 0) || (start[0] == 'M' && start[1] == 'M' && start[2] == 0 && start[3] == 42));
    }

    /// <summary>
    /// The size in the IHDR chunk, which PNG requires first, read from its 16 bytes: no other chunk is read (text and ICC
    /// chunks may be compressed bombs), and MetadataExtractor's chunk reader allocated whatever length a damaged chunk
    /// declared (a 247-byte file asked for 1 GB; found by the fuzz suite).
    /// </summary>
    private static (long, long)? PngSize(Stream stream)
    {
        Span<byte> head = stackalloc byte[24];
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head[12..16].SequenceEqual("IHDR"u8))
            return null;
        return (BinaryPrimitives.ReadUInt32BigEndian(head[16..20]), BinaryPrimitives.ReadUInt32BigEndian(head[20..24]));
    }

    private static (long, long)? Size<T>(IEnumerable<MetadataExtractor.Directory> directories, int widthTag, int heightTag) where T : MetadataExtractor.Directory
    {
        var directory = directories.OfType<T>().FirstOrDefault(d => d.ContainsTag(widthTag) && d.ContainsTag(heightTag));
        if (directory is null) return null;
        // BMP stores a negative height for top-down rows.
        return (Math.Abs(directory.GetInt64(widthTag)), Math.Abs(directory.GetInt64(heightTag)));
    }
}

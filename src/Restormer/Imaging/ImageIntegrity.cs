using MetadataExtractor.Util;

namespace Restormer.Imaging;

/// <summary>
/// Checks that a file holds its whole image before it is decoded. libjpeg decodes a truncated JPEG "successfully",
/// filling the missing rows with grey and only printing a warning, so a JPEG's markers are walked to its end-of-image
/// marker; a WebP must be as long as its RIFF header says; a binary PPM/PGM/PBM must hold at least its raw samples.
/// PNG's chunks are walked to IEND by their lengths alone, reading no chunk. (libtiff and OpenCV's BMP reader fail on
/// truncation by themselves.)
/// </summary>
public static class ImageIntegrity
{
    /// <summary>Null when <paramref name="stream"/> (positioned at the start) is complete, else what is wrong.</summary>
    public static string? Problem(Stream stream, ImageHeader header) => header.Format switch
    {
        FileType.Png => PngEndReached(stream) ? null : "truncated: the PNG data ends before its IEND chunk",
        FileType.Jpeg => JpegEndReached(new BufferedStream(stream, 1 << 16)) ? null : "truncated: the JPEG data ends before its end-of-image marker",
        FileType.WebP => WebPComplete(stream) ? null : "truncated: the file is shorter than its WebP header says",
        FileType.Netpbm => stream.Length >= RawNetpbmBytes(stream, header) ? null : "truncated: the file is shorter than its pixels",
        _ => null,
    };

    /// <summary>Steps from chunk to chunk by the declared lengths (8-byte signature, then length, type, data, CRC); true when IEND is reached within the file.</summary>
    private static bool PngEndReached(Stream s)
    {
        Span<byte> head = stackalloc byte[8];
        long position = 8;
        while (position + 12 <= s.Length)
        {
            s.Position = position;
            s.ReadExactly(head);
            if (head[4..8].SequenceEqual("IEND"u8)) return true;
            position += 12 + System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head[..4]);
        }
        return false;
    }

    /// <summary>The fewest bytes a binary (P4, P5, P6) Netpbm file's samples take (one byte each); 0 for the text forms.</summary>
    private static long RawNetpbmBytes(Stream s, ImageHeader header)
    {
        Span<byte> magic = stackalloc byte[2];
        if (s.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2) return long.MaxValue;
        return magic[1] switch
        {
            (byte)'4' => (header.Width + 7) / 8 * header.Height,
            (byte)'5' => header.Pixels,
            (byte)'6' => 3 * header.Pixels,
            _ => 0,
        };
    }

    /// <summary>
    /// Follows the marker segments from SOI; after each start-of-scan skips the entropy-coded data (where 0xFF is
    /// followed by 0x00 stuffing or a restart marker) to the next marker; true when EOI is reached. Data after EOI
    /// (camera trailers, motion-photo videos) is not looked at.
    /// </summary>
    private static bool JpegEndReached(Stream s)
    {
        if (s.ReadByte() != 0xFF || s.ReadByte() != 0xD8) return false;
        while (true)
        {
            int marker = NextMarker(s);
            if (marker < 0) return false;
            if (marker == 0xD9) return true;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // no length
            int high = s.ReadByte(), low = s.ReadByte();
            if (low < 0) return false;
            int length = (high << 8) | low;
            if (length < 2 || s.Seek(length - 2, SeekOrigin.Current) > s.Length) return false;
            if (marker == 0xDA && !SkipEntropyData(s)) return false;
        }
    }

    /// <summary>Reads 0xFF, any fill bytes, and returns the marker code; -1 at the end of the file or on a non-marker byte.</summary>
    private static int NextMarker(Stream s)
    {
        if (s.ReadByte() != 0xFF) return -1;
        int code;
        while ((code = s.ReadByte()) == 0xFF) { }
        return code;
    }

    /// <summary>Leaves the stream just before the first marker after the scan's data; false if the file ends first.</summary>
    private static bool SkipEntropyData(Stream s)
    {
        while (true)
        {
            int b = s.ReadByte();
            if (b < 0) return false;
            if (b != 0xFF) continue;
            int next;
            while ((next = s.ReadByte()) == 0xFF) { }
            if (next < 0) return false;
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7) continue;
            s.Seek(-2, SeekOrigin.Current);
            return true;
        }
    }

    /// <summary>RIFF header: "RIFF", little-endian size of what follows, "WEBP".</summary>
    private static bool WebPComplete(Stream s)
    {
        Span<byte> header = stackalloc byte[8];
        if (s.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8) return false;
        long declared = BitConverter.ToUInt32(header[4..]) + 8L;
        return s.Length >= declared;
    }
}

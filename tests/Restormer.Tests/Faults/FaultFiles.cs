using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OpenCvSharp;
using Restormer.Checkpoints;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Faults;

/// <summary>
/// Hostile and careless inputs built byte by byte (images, checkpoints, option files), and a snapshot of a folder's
/// files so a test can show that nothing outside a run's outputs changed.
/// </summary>
static partial class FaultFiles
{
    /// <summary>A small photo from the shared data, as 8-bit BGR of the given size.</summary>
    public static Mat Photo(int width = 48, int height = 40)
    {
        using var photo = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png"));
        return photo.Resize(new OpenCvSharp.Size(width, height), interpolation: InterpolationFlags.Area);
    }

    /// <summary>Encodes <paramref name="image"/> in the format of <paramref name="extension"/> (".png", ".jpg", …).</summary>
    public static byte[] Encode(Mat image, string extension)
    {
        Assert.True(Cv2.ImEncode(extension, image, out var bytes), $"OpenCV cannot encode {extension}");
        return bytes;
    }

    /// <summary>
    /// A PNG whose header declares <paramref name="width"/>×<paramref name="height"/> gray pixels, every row present
    /// and zero: a few bytes per row once deflated, the shape of a decompression bomb.
    /// </summary>
    public static byte[] PngBomb(int width, int height)
    {
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1]; // filter byte 0 and the gray samples
            for (int y = 0; y < height; y++) z.Write(row);
        }
        return Png(width, height, colourType: 0, idat.ToArray());
    }

    /// <summary>A PNG with an IHDR declaring the size and the given IDAT data (a header-only bomb when it is tiny).</summary>
    public static byte[] Png(int width, int height, byte colourType, byte[] idat)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = colourType;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Restormer.Checkpoints.Crc32.Append(0, typed));
        png.Write(word);
    }

    /// <summary>Makes a FIFO (named pipe) at <paramref name="path"/>; false where the file system refuses.</summary>
    public static bool MakeFifo(string path) => MkFifo(path, 0x1A4 /* 0644 */) == 0;

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    /// <summary>A tiny Restormer's state dict (dim 8, one block per level), freshly initialised.</summary>
    public static RestormerNet TinyNet(long seed = 1)
    {
        manual_seed(seed);
        return new RestormerNet(new RestormerConfig { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1, Heads = [1, 1, 1, 1] });
    }

    /// <summary>Saves the tiny net's weights with <paramref name="change"/> applied to the named tensor (null: unchanged).</summary>
    public static void SaveTinyCheckpoint(string path, string? tensorName = null, Func<Tensor, Tensor>? change = null)
    {
        using var net = TinyNet();
        Restormer.Interop.GcPause.Run(() =>
        {
            var state = net.state_dict().ToDictionary(p => p.Key, p => tensorName == p.Key && change is not null ? change(p.Value.detach()) : p.Value.detach());
            CheckpointFile.SavePth(path, state);
        });
    }

    /// <summary>Relative path → SHA-256 (or the kind, for what is not a regular file) of everything under <paramref name="folder"/>.</summary>
    public static SortedDictionary<string, string> Snapshot(string folder)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(folder, entry);
            if (Directory.Exists(entry)) result[name] = "dir";
            else if (Restormer.IO.FileKind.NotRegular(entry) is { } kind) result[name] = kind;
            else result[name] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)));
        }
        return result;
    }

    /// <summary>Names of the files in <paramref name="folder"/> (hidden ones included: a partial file would be one).</summary>
    public static string[] Names(string folder) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];
}

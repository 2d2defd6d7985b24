using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Restormer.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Tests.Checkpoints;

/// <summary>Fixture paths, hand-built checkpoint files and comparisons shared by the checkpoint tests.</summary>
static class CheckpointTestFiles
{
    public static readonly string[] FixtureCases =
        ["tiny_withbias", "tiny_biasfree_bias", "tiny_gray_biasfree", "tiny_dualpixel", "small_default_heads"];

    public static string Fixture(string name) => Path.Combine(TestPaths.Parity, name + ".pth");

    /// <summary>Same dtype, shape and bytes, and a contiguous CPU tensor.</summary>
    public static void AssertSame(Tensor expected, Tensor actual, string name)
    {
        Assert.True(actual.device_type == DeviceType.CPU && actual.is_contiguous(), $"{name}: not a contiguous CPU tensor");
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.contiguous();
        Assert.True(e.bytes.SequenceEqual(actual.bytes), $"{name}: values differ");
    }

    public static void DisposeAll(OrderedDictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
            tensor.Dispose();
    }

    /// <summary>Loading fails with a CheckpointException whose message names the file and contains each phrase.</summary>
    public static CheckpointException AssertLoadFails(string path, params string[] phrases)
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains($"'{path}'", error.Message);
        foreach (var phrase in phrases)
            Assert.Contains(phrase, error.Message);
        return error;
    }

    /// <summary>Writes a zip with ZipArchive (uncompressed), independently of the library's writer.</summary>
    public static void WriteZip(string path, IEnumerable<(string Name, byte[] Data)> entries, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            using var stream = zip.CreateEntry(name, level).Open();
            stream.Write(data);
        }
    }

    /// <summary>A torch-layout zip around a hand-built pickle; storage "k" holds the given float32 values.</summary>
    public static string TorchZip(byte[] pickle, params (string Key, float[] Values)[] storages)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "hand.pth");
        WriteZip(path, [("archive/data.pkl", pickle), .. storages.Select(s => ($"archive/data/{s.Key}", Floats(s.Values))), ("archive/version", "3\n"u8.ToArray())]);
        return path;
    }

    public static List<(string Name, byte[] Data)> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            var data = new byte[e.Length];
            stream.ReadExactly(data);
            return (e.FullName, data);
        }).ToList();
    }

    /// <summary>
    /// The zip's records as its central directory lists them (PyTorch's writer leaves sizes out of the local headers),
    /// with where each record's data starts. Assumes no zip comment and no zip64, as in the small files tested here.
    /// </summary>
    public static List<(string Name, int HeaderAt, int DataAt, int Size, int Method)> LocalRecords(byte[] file)
    {
        var end = file.Length - 22;
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(end)));
        int U16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(offset));
        int I32(int offset) => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(offset));
        var records = new List<(string, int, int, int, int)>();
        for (int at = I32(end + 16), i = 0; i < U16(end + 10); i++)
        {
            var headerAt = I32(at + 42);
            var dataAt = headerAt + 30 + U16(headerAt + 26) + U16(headerAt + 28);
            records.Add((Encoding.UTF8.GetString(file, at + 46, U16(at + 28)), headerAt, dataAt, I32(at + 20), U16(at + 10)));
            at += 46 + U16(at + 28) + U16(at + 30) + U16(at + 32);
        }
        return records;
    }

    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static float[] Values(Tensor tensor) => tensor.data<float>().ToArray();
}

/// <summary>Builds pickles opcode by opcode, including ones torch.save would never write.</summary>
sealed class PickleBuilder
{
    readonly List<byte> _bytes = [0x80, 2];

    public PickleBuilder Op(params byte[] ops)
    {
        _bytes.AddRange(ops);
        return this;
    }

    public PickleBuilder Op(char op, params byte[] args) => Op((byte)op).Op(args);

    /// <summary>BINUNICODE.</summary>
    public PickleBuilder Str(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return Op((byte)'X').Op(BitConverter.GetBytes(bytes.Length)).Op(bytes);
    }

    /// <summary>BININT1 for small values, else LONG1 with 8 bytes.</summary>
    public PickleBuilder Int(long value) => value is >= 0 and < 256 ? Op((byte)'K', (byte)value) : Op(0x8a, 8).Op(BitConverter.GetBytes(value));

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder OrderedDict() => Global("collections", "OrderedDict").Op(')').Op('R');

    /// <summary>A _rebuild_tensor_v2 call on persistent storage <paramref name="key"/>, as torch.save writes it.</summary>
    public PickleBuilder Tensor(string key, long numel, long offset, long[] size, long[] stride, string storageClass = "FloatStorage")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        Op('(').Str("storage").Global("torch", storageClass).Str(key).Str("cpu").Int(numel).Op('t').Op('Q');
        Int(offset).Op('(');
        foreach (var s in size)
            Int(s);
        Op('t').Op('(');
        foreach (var s in stride)
            Int(s);
        return Op('t').Op(0x89).OrderedDict().Op('t').Op('R');
    }

    /// <summary>{outerKey: OrderedDict(entries)} with the state_dict's _metadata BUILD, or a bare OrderedDict when outerKey is null.</summary>
    public static byte[] StateDict(string? outerKey, params (string Name, Action<PickleBuilder> Value)[] entries)
    {
        var p = new PickleBuilder();
        if (outerKey != null)
            p.Op('}').Str(outerKey);
        p.OrderedDict().Op('(');
        foreach (var (name, value) in entries)
        {
            p.Str(name);
            value(p);
        }
        p.Op('u').Op('}').Str("_metadata").OrderedDict().Str("").Op('}').Str("version").Int(1).Op('s').Op('s').Op('s').Op('b');
        if (outerKey != null)
            p.Op('s');
        return p.Stop();
    }

    public byte[] Stop() => [.. _bytes, (byte)'.'];

    public byte[] Bytes => [.. _bytes];
}

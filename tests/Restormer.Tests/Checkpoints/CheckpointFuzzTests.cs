using System.Diagnostics;
using System.IO.Compression;
using Restormer.Checkpoints;
using static TorchSharp.torch;
using static Restormer.Tests.Checkpoints.CheckpointTestFiles;

namespace Restormer.Tests.Checkpoints;

/// <summary>
/// Hostile and damaged inputs: every file must either load or fail with a CheckpointException naming it, quickly,
/// never with another exception (index, null, out of memory) or a hang. Mutations are seeded, so failures repeat.
/// </summary>
public class CheckpointFuzzTests
{
    static readonly TimeSpan PerLoad = TimeSpan.FromSeconds(10); // generous: the test machines are shared; a hang takes forever

    /// <summary>RESTORMER_SLOW_TESTS=1 runs 20 times as many mutations.</summary>
    static readonly int Scale = Environment.GetEnvironmentVariable("RESTORMER_SLOW_TESTS") == "1" ? 20 : 1;

    static void LoadsOrIsRejected(string path, string what)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            DisposeAll(CheckpointFile.Load(path));
        }
        catch (CheckpointException e)
        {
            Assert.Contains(path, e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e}");
        }
        Assert.True(clock.Elapsed < PerLoad, $"{what} took {clock.Elapsed}");
    }

    static void BytesLoadOrAreRejected(string dir, byte[] bytes, string what, string name = "fuzz.pth")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        LoadsOrIsRejected(path, what);
    }

    static byte[] Mutate(byte[] bytes, Random random, int from, int to)
    {
        var copy = (byte[])bytes.Clone();
        for (var n = random.Next(1, 4); n > 0; n--)
            copy[random.Next(from, to)] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)(copy[random.Next(from, to)] ^ (1 << random.Next(8)));
        return copy;
    }

    public static TheoryData<string, int> FixturesAndRounds => new()
    {
        { "tiny_withbias", 60 }, { "tiny_biasfree_bias", 30 }, { "tiny_gray_biasfree", 30 }, { "tiny_dualpixel", 30 }, { "small_default_heads", 10 },
    };

    [Theory]
    [MemberData(nameof(FixturesAndRounds))]
    public void MutatedPicklesLoadOrAreRejected(string fixture, int rounds)
    {
        // The mutated pickle is zipped again with a correct checksum, so the unpickler (not the CRC check) meets it.
        var entries = ReadZip(Fixture(fixture));
        var pickleIndex = entries.FindIndex(e => e.Name.EndsWith("/data.pkl"));
        var pickle = entries[pickleIndex].Data;
        var dir = TestPaths.NewTempDir();
        var random = new Random(1000 + rounds);
        for (var round = 0; round < rounds * Scale; round++)
        {
            entries[pickleIndex] = (entries[pickleIndex].Name, Mutate(pickle, random, 0, pickle.Length));
            var path = Path.Combine(dir, "fuzz.pth");
            WriteZip(path, entries);
            LoadsOrIsRejected(path, $"{fixture} pickle round {round}");
        }
    }

    [Theory]
    [MemberData(nameof(FixturesAndRounds))]
    public void MutatedZipStructuresAndTruncationsLoadOrAreRejected(string fixture, int rounds)
    {
        var file = File.ReadAllBytes(Fixture(fixture));
        var records = LocalRecords(file);
        var directoryStart = records.Max(r => r.DataAt + r.Size);
        var dir = TestPaths.NewTempDir();
        var random = new Random(2000 + rounds);
        for (var round = 0; round < rounds * Scale; round++)
        {
            var record = records[random.Next(records.Count)];
            BytesLoadOrAreRejected(dir, Mutate(file, random, record.HeaderAt, record.DataAt), $"{fixture} local header of {record.Name}, round {round}");
            BytesLoadOrAreRejected(dir, Mutate(file, random, directoryStart, file.Length), $"{fixture} central directory, round {round}");
            var cut = random.Next(file.Length);
            BytesLoadOrAreRejected(dir, file[..cut], $"{fixture} truncated to {cut} bytes");
        }
        foreach (var cut in new[] { 1, 4, 30, file.Length - 22, file.Length - 1 })
            BytesLoadOrAreRejected(dir, file[..cut], $"{fixture} truncated to {cut} bytes");
    }

    [Fact]
    public void MutatedSafetensorsLoadOrAreRejected()
    {
        var dir = TestPaths.NewTempDir();
        var source = Path.Combine(dir, "source.safetensors");
        CheckpointFile.SaveSafetensors(source, [new("a", ones(3, 4)), new("b", arange(10, dtype: ScalarType.Int64)), new("c", zeros(2, dtype: ScalarType.Float16))],
            new Dictionary<string, string> { ["format"] = "pt" });
        var file = File.ReadAllBytes(source);
        var headerEnd = 8 + (int)BitConverter.ToUInt64(file);
        var random = new Random(3000);
        for (var round = 0; round < 300 * Scale; round++)
        {
            BytesLoadOrAreRejected(dir, Mutate(file, random, 0, headerEnd), $"safetensors header round {round}", "fuzz.safetensors");
            var cut = random.Next(file.Length);
            BytesLoadOrAreRejected(dir, file[..cut], $"safetensors truncated to {cut} bytes", "fuzz.safetensors");
        }
    }

    /// <summary>Built on demand: some are megabytes, too big to be theory data.</summary>
    static readonly Dictionary<string, Func<byte[]>> HostilePickles = BuildHostilePickles();

    static Dictionary<string, Func<byte[]>> BuildHostilePickles()
    {
        static byte[] Repeat(int times, params byte[] unit) => Enumerable.Repeat(unit, times).SelectMany(u => u).ToArray();
        var huge = BitConverter.GetBytes(uint.MaxValue);
        return new()
        {
            ["100k nested MARKs"] = () => new PickleBuilder().Op(Repeat(100_000, (byte)'(')).Stop(),
            ["999 nested tuples"] = () => new PickleBuilder().Op(Repeat(999, (byte)'(')).Op(Repeat(999, (byte)'t')).Stop(),
            ["LONG_BINPUT 2^32-1 then a missing LONG_BINGET"] = () => new PickleBuilder().Op('}').Op('r').Op(huge).Op('j').Op(0, 0, 0, 0x80).Stop(),
            ["LONG_BINPUT 2^32-1 recalled"] = () => new PickleBuilder().Op('}').Op('r').Op(huge).Op('j').Op(huge).Stop(),
            ["memo flood"] = () => new PickleBuilder().Op('N').Op(Enumerable.Range(0, 1_100_000).SelectMany(i => BitConverter.GetBytes(i).Prepend((byte)'r')).ToArray()).Stop(),
            ["value flood"] = () => new PickleBuilder().Op('N').Op('q', 0).Op(Repeat(4_300_000, (byte)'h', 0)).Stop(),
            ["BINUNICODE of 4 GiB"] = () => new PickleBuilder().Op('X').Op(huge).Op("abc"u8.ToArray()).Stop(),
            ["BINUNICODE8 of 2^63"] = () => new PickleBuilder().Op(0x8d).Op(BitConverter.GetBytes(long.MaxValue)).Stop(),
            ["LONG1 of 255 bytes"] = () => new PickleBuilder().Op(0x8a, 255).Op(new byte[255]).Stop(),
            ["GLOBAL without newline"] = () => new PickleBuilder().Op('c').Op(Repeat(10_000, (byte)'a')).Stop(),
            ["list containing itself"] = () => new PickleBuilder().Op(']').Op('q', 0).Op('h', 0).Op('a').Stop(),
            ["params is the dict itself"] = () => new PickleBuilder().Op('}').Op('q', 0).Str("params").Op('h', 0).Op('s').Stop(),
            ["odd SETITEMS"] = () => new PickleBuilder().Op('}').Op('(').Str("k").Op('u').Stop(),
            ["SETITEM below the mark"] = () => new PickleBuilder().Op('}').Str("k").Op('(').Op('s').Stop(),
            ["APPEND to a dict"] = () => new PickleBuilder().Op('}').Op('N').Op('a').Stop(),
            ["BUILD on a list"] = () => new PickleBuilder().Op(']').Op('}').Op('b').Stop(),
            ["STOP on an empty stack"] = () => new PickleBuilder().Stop(),
            ["no STOP"] = () => new PickleBuilder().Op('}').Bytes,
            ["protocol 9"] = () => new PickleBuilder().Op(0x80, 9).Op('}').Stop(),
            ["None as a dict key"] = () => new PickleBuilder().Op('}').Op('N').Op('N').Op('s').Stop(),
            ["REDUCE of a storage class"] = () => new PickleBuilder().Global("torch", "FloatStorage").Op(')').Op('R').Stop(),
            ["persistent id that is not a storage"] = () => new PickleBuilder().Str("x").Op('Q').Stop(),
            ["numel 2^62 on an 8-byte storage"] = () => PickleBuilder.StateDict("params", ("w", p => p.Tensor("0", 1L << 62, 0, [2], [1]))),
            ["shape 2^31 x 2^31 x 2^31"] = () => PickleBuilder.StateDict("params", ("w", p => p.Tensor("0", 2, 0, [1L << 31, 1L << 31, 1L << 31], [0, 0, 0]))),
            ["zero-stride view of 2^63-4 bytes after a real tensor"] = () => PickleBuilder.StateDict("params", ("a", p => p.Tensor("0", 2, 0, [2], [1])), ("b", p => p.Tensor("0", 2, 0, [(1L << 61) - 1], [0]))),
            ["negative offset"] = () => PickleBuilder.StateDict("params", ("w", p => p.Tensor("0", 2, -1, [1], [1]))),
            ["65 dimensions"] = () => PickleBuilder.StateDict("params", ("w", p => p.Tensor("0", 2, 0, new long[65], new long[65]))),
            ["one storage as two dtypes"] = () => PickleBuilder.StateDict("params", ("a", p => p.Tensor("0", 2, 0, [2], [1])), ("b", p => p.Tensor("0", 1, 0, [1], [1], "DoubleStorage"))),
        };
    }

    public static TheoryData<string> HostilePickleNames => new(HostilePickles.Keys);

    [Theory]
    [MemberData(nameof(HostilePickleNames))]
    public void HostilePicklesLoadOrAreRejected(string what) => LoadsOrIsRejected(TorchZip(HostilePickles[what](), ("0", [1f, 2f])), what);

    [Fact]
    public void OversizedPickleIsRefusedBeforeReading()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "big.pth");
        WriteZip(path, [("archive/data.pkl", new byte[(64 << 20) + 1])], CompressionLevel.Optimal); // 65 MiB of zeros, a few KiB on disk
        AssertLoadFails(path, "more than the 67108864");
    }
}

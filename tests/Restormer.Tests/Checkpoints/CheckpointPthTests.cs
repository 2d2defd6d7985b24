using System.Collections;
using System.Text.Json;
using Restormer.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using static Restormer.Tests.Checkpoints.CheckpointTestFiles;

namespace Restormer.Tests.Checkpoints;

public class CheckpointPthTests
{
    public static TheoryData<string> Fixtures => new(FixtureCases);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureHasTheKeyCountOfCasesJsonAndStartsWithPatchEmbed(string name)
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Parity, "cases.json")));
        var tensors = CheckpointFile.Load(Fixture(name));
        try
        {
            Assert.Equal(cases.RootElement.GetProperty(name).GetProperty("state_dict_keys").GetInt32(), tensors.Count);
            Assert.Equal("patch_embed.proj.weight", tensors.GetAt(0).Key);
            Assert.Equal(cases.RootElement.GetProperty(name).GetProperty("parameters").GetInt64(), tensors.Values.Sum(t => t.numel()));
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureMatchesPyBridgeTensorByTensor(string name)
    {
        var path = Fixture(name);
        var expected = (IDictionary)PyTorchUnpickler.UnpickleStateDict(path)["params"]!;
        var actual = CheckpointFile.Load(path);
        try
        {
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (key, tensor) in actual)
                AssertSame((Tensor)expected[key]!, tensor, key);
        }
        finally
        {
            DisposeAll(actual);
        }
    }

    static List<KeyValuePair<string, Tensor>> EveryDType()
    {
        var g = new Generator(7);
        return
        [
            new("f32", randn([3, 4], generator: g)),
            new("f64", randn([2, 5], ScalarType.Float64, generator: g)),
            new("f16", randn([7], ScalarType.Float16, generator: g)),
            new("bf16", randn([2, 3], ScalarType.BFloat16, generator: g)),
            new("i64", arange(-5, 5, dtype: ScalarType.Int64).mul(1L << 40)),
            new("i32", arange(10, dtype: ScalarType.Int32).reshape(2, 5)),
            new("i16", tensor(new short[] { -3, 300 })),
            new("i8", tensor(new sbyte[] { -3, 100 })),
            new("u8", arange(0, 250, 10, dtype: ScalarType.Byte)),
            new("bool", tensor(new[] { true, false, true })),
            new("scalar", tensor(3.5f)),
            new("empty", zeros(0, 3)),
            new("transposed", arange(12, dtype: ScalarType.Float32).reshape(3, 4).t()), // not contiguous in memory
            new("parameter", new TorchSharp.Modules.Parameter(ones(2, 2))),
        ];
    }

    [Fact]
    public void SavePthThenLoadGivesTheSameTensorsInOrder()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "all.pth");
        var saved = EveryDType();
        CheckpointFile.SavePth(path, saved);
        var loaded = CheckpointFile.Load(path);
        Assert.Equal(saved.Select(p => p.Key), loaded.Keys);
        foreach (var (name, tensor) in saved)
            AssertSame(tensor, loaded[name], name);
        DisposeAll(loaded);
    }

    [Fact]
    public void SavedPthIsReadIdenticallyByPyBridge()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "all.pth");
        var saved = EveryDType().Where(p => p.Value.dim() > 0).ToList(); // PyBridge turns 0-dim tensors into shape [1]
        CheckpointFile.SavePth(path, saved);
        var independent = (IDictionary)PyTorchUnpickler.UnpickleStateDict(path)["params"]!;
        Assert.Equal(saved.Count, independent.Count);
        foreach (var (name, tensor) in saved)
            AssertSame(tensor, (Tensor)independent[name]!, name);
    }

    [Fact]
    public void SavedPthHasTorchsRecordsStoredAndAlignedTo64Bytes()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "w.pth");
        CheckpointFile.SavePth(path, [new("a", ones(3)), new("b", zeros(5, 5))]);
        var records = LocalRecords(File.ReadAllBytes(path));
        Assert.All(records, r => Assert.Equal(0, r.Method)); // stored
        Assert.All(records, r => Assert.Equal(0, r.DataAt % 64));
        var names = records.Select(r => r.Name);
        Assert.Equal(["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version"], names);
        var entries = ReadZip(path).ToDictionary(e => e.Name, e => e.Data);
        Assert.Equal("little"u8.ToArray(), entries["archive/byteorder"]);
        Assert.Equal("3\n"u8.ToArray(), entries["archive/version"]);
        Assert.Equal(Floats(1, 1, 1), entries["archive/data/0"]);
    }

    [Fact]
    public void SavePthReplacesTheFileAtomicallyUnderTheGivenKey()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "w.pth");
        File.WriteAllText(path, "old");
        CheckpointFile.SavePth(path, [new("w", ones(2))], key: "params_ema");
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        var independent = PyTorchUnpickler.UnpickleStateDict(path);
        Assert.True(independent.ContainsKey("params_ema"));
        var loaded = CheckpointFile.Load(path); // no 'params', so 'params_ema' is used
        Assert.Equal([1f, 1f], Values(loaded["w"]));
    }

    static Action<PickleBuilder> T(string key, long offset = 0, long[]? size = null, long[]? stride = null, long numel = 2) =>
        p => p.Tensor(key, numel, offset, size ?? [numel], stride ?? [1]);

    [Theory]
    [InlineData("params", "params")]
    [InlineData("params_ema", "params_ema")]
    [InlineData("state_dict", "state_dict")]
    public void LoadPrefersParamsThenParamsEmaThenStateDict(string present, string expected)
    {
        // Every layout below also holds the keys that rank lower, each pointing at its own storage.
        var order = new[] { "params", "params_ema", "state_dict" };
        var keys = order.SkipWhile(k => k != present).ToArray();
        var p = new PickleBuilder().Op('}').Op('(');
        foreach (var key in keys.Reverse())
        {
            p.Str(key).OrderedDict().Str("w");
            T(key)(p);
            p.Op('s');
        }
        var path = TorchZip(p.Op('u').Stop(), keys.Select(k => (k, new[] { Array.IndexOf(order, k) + 1f, 0f })).ToArray());
        var loaded = CheckpointFile.Load(path);
        Assert.Equal([Array.IndexOf(order, expected) + 1f, 0f], Values(loaded["w"]));
    }

    [Fact]
    public void LoadAcceptsABareStateDictAndStripsDataParallelPrefix()
    {
        var path = TorchZip(PickleBuilder.StateDict(null, ("module.a", T("0")), ("module.b", T("1"))), ("0", [1, 2]), ("1", [3, 4]));
        var loaded = CheckpointFile.Load(path);
        Assert.Equal(["a", "b"], loaded.Keys);
        Assert.Equal([3f, 4f], Values(loaded["b"]));
    }

    [Fact]
    public void ViewsIntoOneStorageAreCopiedIntoTensorsOfTheirOwn()
    {
        var storage = Enumerable.Range(0, 14).Select(i => (float)i).ToArray();
        var path = TorchZip(PickleBuilder.StateDict("params",
            ("rows", T("s", offset: 0, size: [2, 3], stride: [3, 1], numel: 14)),
            ("transposed", T("s", offset: 6, size: [3, 2], stride: [1, 3], numel: 14)),
            ("parameter", p => p.Global("torch._utils", "_rebuild_parameter").Op('(').Tensor("s", 14, 12, [2], [1]).Op(0x88).OrderedDict().Op('t').Op('R'))),
            ("s", storage));
        var loaded = CheckpointFile.Load(path);
        Assert.Equal([0f, 1, 2, 3, 4, 5], Values(loaded["rows"]));
        Assert.Equal([6f, 9, 7, 10, 8, 11], Values(loaded["transposed"]));
        Assert.Equal(new long[] { 3, 2 }, loaded["transposed"].shape);
        Assert.Equal([12f, 13], Values(loaded["parameter"]));
        loaded["rows"].fill_(-1);
        Assert.Equal([6f, 9, 7, 10, 8, 11], Values(loaded["transposed"]));
        Assert.True(loaded.Values.All(t => t.is_contiguous()));
    }
}

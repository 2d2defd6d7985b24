using System.Text;
using System.Text.Json;
using Restormer.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;
using static Restormer.Tests.Checkpoints.CheckpointTestFiles;

namespace Restormer.Tests.Checkpoints;

public class CheckpointSafetensorsTests
{
    /// <summary>A safetensors file assembled by hand from a JSON header and raw little-endian bytes.</summary>
    static string HandMade(string header, byte[] data, string name = "hand.safetensors")
    {
        var path = Path.Combine(TestPaths.NewTempDir(), name);
        var json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. data]);
        return path;
    }

    [Fact]
    public void ReadsAHandMadeFileWithMetadata()
    {
        var path = HandMade("""{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}""",
            [.. Floats(1.5f, -2f), .. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(-1L)]);
        var (tensors, metadata) = CheckpointFile.LoadSafetensors(path);
        Assert.Equal(["b", "a"], tensors.Keys); // header order
        Assert.Equal(new long[] { 1, 2 }, tensors["a"].shape);
        Assert.Equal([1.5f, -2f], Values(tensors["a"]));
        Assert.Equal([7L, -1L], tensors["b"].data<long>().ToArray());
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void SaveThenLoadGivesTheSameTensorsAndMetadata()
    {
        var g = new Generator(3);
        List<KeyValuePair<string, Tensor>> saved =
        [
            new("w", randn([4, 3], generator: g)), new("h", randn([5], ScalarType.Float16, generator: g)), new("bf", randn([2, 2], ScalarType.BFloat16, generator: g)),
            new("d", randn([3], ScalarType.Float64, generator: g)), new("i", arange(6, dtype: ScalarType.Int32)), new("n", tensor(new[] { true, false })),
            new("u", tensor(new byte[] { 0, 255 })), new("s", tensor(2.0)), new("e", zeros(0)), new("t", arange(6f).reshape(2, 3).t()),
        ];
        var path = Path.Combine(TestPaths.NewTempDir(), "w.safetensors");
        CheckpointFile.SaveSafetensors(path, saved, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é\"" });
        var (tensors, metadata) = CheckpointFile.LoadSafetensors(path);
        Assert.Equal(saved.Select(p => p.Key), tensors.Keys);
        foreach (var (name, tensor) in saved)
            AssertSame(tensor, tensors[name], name);
        Assert.Equal("é\"", metadata["note"]);
        var viaLoad = CheckpointFile.Load(path); // detected by content
        AssertSame(saved[0].Value, viaLoad["w"], "w");
    }

    [Fact]
    public void WrittenHeaderFollowsTheSpec()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "w.bin");
        CheckpointFile.SaveSafetensors(path, [new("a", ones(2, 3)), new("b", zeros(5, dtype: ScalarType.Float16))]);
        var file = File.ReadAllBytes(path);
        var length = (int)BitConverter.ToUInt64(file);
        Assert.Equal(0, (8 + length) % 8);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        var a = header.RootElement.GetProperty("a");
        var b = header.RootElement.GetProperty("b");
        Assert.Equal("F32", a.GetProperty("dtype").GetString());
        Assert.Equal([2, 3], a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 24], a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("F16", b.GetProperty("dtype").GetString());
        Assert.Equal([24, 34], b.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(8 + length + 34, file.Length);
        Assert.Equal(Floats(1, 1, 1, 1, 1, 1), file[(8 + length)..(8 + length + 24)]);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "cover 8 bytes but the file has 4")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "cover 8 bytes but the file has 12")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "shape [3] of F32 but data_offsets [0, 8]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "gap or overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}""", 0, "shape [4611686018427387904, 4]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0, "not a non-negative integer")]
    [InlineData("""{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, "'C64', which is not supported")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1]}}""", 4, "lacks a dtype, shape or data_offsets")]
    [InlineData("""{"a":[1,2]}""", 0, "lacks a dtype")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "names a tensor twice")]
    [InlineData("""{"__metadata__":{"k":1}}""", 0, "metadata 'k'")]
    [InlineData("""{"a":{"dtype":"F32",""", 0, "not valid JSON")]
    [InlineData("""{"a":{"dtype":"F32","shape":[[[[[1]]]]],"data_offsets":[0,4]}}""", 4, "not valid JSON")]
    public void InconsistentHeadersAreRefused(string header, int dataBytes, string phrase) =>
        AssertLoadFails(HandMade(header, new byte[dataBytes]), phrase);

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefused()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "w.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000UL), .. "{}"u8]);
        // Not even recognised as safetensors: the length does not fit the file.
        AssertLoadFails(path, "neither a PyTorch .pth");
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.LoadSafetensors(Fixture("tiny_withbias")));
        Assert.Contains("not a safetensors file", error.Message);
    }
}

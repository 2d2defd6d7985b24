using System.Text.Json;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Model;

/// <summary>One case of <c>../shared/fixtures/parity</c>: the reference's constructor arguments, weights, input and output.</summary>
public sealed record ParityCase(string Name, RestormerConfig Config, long[] InputShape, long[] OutputShape)
{
    public static IReadOnlyList<ParityCase> All { get; } = Load();

    public static TheoryData<string> Names => new(All.Select(c => c.Name));

    public static ParityCase Get(string name) => All.Single(c => c.Name == name);

    public string WeightsPath => Path.Combine(TestPaths.Parity, Name + ".pth");
    public Tensor Input() => ReadF32(Path.Combine(TestPaths.Parity, Name + ".input.f32"), InputShape);
    public Tensor ExpectedOutput() => ReadF32(Path.Combine(TestPaths.Parity, Name + ".output.f32"), OutputShape);

    /// <summary>The reference constructor arguments of a fixture's <c>config</c> object.</summary>
    public static RestormerConfig ConfigOf(JsonElement a)
    {
        int[] Ints(string key) => a.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new RestormerConfig
        {
            InpChannels = a.GetProperty("inp_channels").GetInt32(),
            OutChannels = a.GetProperty("out_channels").GetInt32(),
            Dim = a.GetProperty("dim").GetInt32(),
            NumBlocks = Ints("num_blocks"),
            NumRefinementBlocks = a.GetProperty("num_refinement_blocks").GetInt32(),
            Heads = Ints("heads"),
            FfnExpansionFactor = a.GetProperty("ffn_expansion_factor").GetDouble(),
            Bias = a.GetProperty("bias").GetBoolean(),
            LayerNormType = Enum.Parse<LayerNormType>(a.GetProperty("LayerNorm_type").GetString()!),
            DualPixelTask = a.GetProperty("dual_pixel_task").GetBoolean(),
        };
    }

    /// <summary>A raw little-endian float32 file as a tensor of <paramref name="shape"/>.</summary>
    public static Tensor ReadF32(string path, long[] shape)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return tensor(values).reshape(shape);
    }

    private static IReadOnlyList<ParityCase> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Parity, "cases.json")));
        return doc.RootElement.EnumerateObject().Select(c =>
        {
            var config = ConfigOf(c.Value.GetProperty("config"));
            long[] Shape(string key) => c.Value.GetProperty(key).EnumerateArray().Select(e => e.GetInt64()).ToArray();
            return new ParityCase(c.Name, config, Shape("input_shape"), Shape("output_shape"));
        }).ToList();
    }
}

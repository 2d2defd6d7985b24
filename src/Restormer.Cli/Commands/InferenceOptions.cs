using System.CommandLine;
using Restormer.Inference;
using Restormer.Runtimes;

namespace Restormer.Cli.Commands;

/// <summary>The options every command that runs the network shares (tiling, memory, device, threads, precision).</summary>
public sealed class InferenceOptions
{
    private readonly Option<int?> tile = new("--tile", "--tile-size") { Description = "Restore in tiles of this side (a multiple of 8), as the reference's --tile. Default: automatic, only when the image would not fit the memory budget." };
    private readonly Option<int> tileOverlap = new("--tile-overlap", "--tile_overlap") { Description = "Overlap between tiles in pixels; overlaps are averaged.", DefaultValueFactory = _ => 32 };
    private readonly Option<double> memory = new("--memory-budget") { Description = "GiB the network's activations may use before images are tiled automatically.", DefaultValueFactory = _ => 2.0 };
    private readonly Option<string> device = new("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int?> threads = new("--threads") { Description = "CPU threads for the network (default: one per core)." };
    private readonly Option<int> ensemble = new("--self-ensemble") { Description = "Average the outputs of 1 (off), 2, 4 or 8 flipped/transposed copies of each image: a little more accurate, that many times slower.", DefaultValueFactory = _ => 1 };
    private readonly Option<string> runtime = new("--runtime") { Description = "What runs the network: auto (the engine on CPUs with AVX-512 or AVX2, else libtorch), engine, libtorch (the module) or onnxruntime.", DefaultValueFactory = _ => "auto" };
    private readonly Option<string?> onnx = new("--onnx") { Description = "With --runtime onnxruntime: an exported model (restormer export) instead of exporting the loaded one in memory." };
    private readonly Option<string> provider = new("--execution-provider") { Description = $"With --runtime onnxruntime: {string.Join(", ", OnnxRuntimeRunner.Providers)} (all but cpu need an ONNX Runtime build with that provider).", DefaultValueFactory = _ => "cpu" };
    private readonly Option<string> precision = new("--precision") { Description = "fp32 (exact, default), bf16 (2-3x faster on CPUs with native bfloat16, visually identical) or auto (bf16 where the CPU has it natively).", DefaultValueFactory = _ => "fp32" };

    /// <summary>
    /// Adds the options; <c>bench</c>, which takes its own list of precisions and times single passes, leaves
    /// <c>--precision</c> and <c>--self-ensemble</c> out.
    /// </summary>
    public void AddTo(Command command, bool withPrecisionAndEnsemble = true)
    {
        foreach (var option in new Option[] { tile, tileOverlap, memory, device, threads, runtime, onnx, provider })
            command.Options.Add(option);
        if (!withPrecisionAndEnsemble) return;
        command.Options.Add(precision);
        command.Options.Add(ensemble);
    }

    public RestoreOptions Read(ParseResult parse) => new()
    {
        TileSize = parse.GetValue(tile),
        TileOverlap = parse.GetValue(tileOverlap),
        MemoryBudgetBytes = (long)(parse.GetValue(memory) * (1L << 30)),
        Device = parse.GetValue(device)!,
        Threads = parse.GetValue(threads),
        SelfEnsemble = parse.GetValue(ensemble),
        Precision = parse.GetValue(precision) is { } text ? PrecisionExtensions.Parse(text) : Precision.Fp32,
        Runtime = InferenceRuntimes.Parse(parse.GetValue(runtime)!),
        OnnxModel = parse.GetValue(onnx),
        ExecutionProvider = parse.GetValue(provider)!,
    };
}

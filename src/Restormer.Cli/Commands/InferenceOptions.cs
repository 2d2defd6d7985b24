using System.CommandLine;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.Runtimes;

namespace Restormer.Cli.Commands;

/// <summary>The options every command that runs the network shares (tiling, memory, device, threads, precision).</summary>
public sealed class InferenceOptions
{
    private readonly Option<int?> tile = new Option<int?>("--tile", "--tile-size") { Description = "Restore in tiles of this side (a multiple of 8), as the reference's --tile. Default: automatic, only when the image would not fit the memory budget." }.Within(8, 16384).MultipleOf(8);
    private readonly Option<int> tileOverlap = new Option<int>("--tile-overlap", "--tile_overlap") { Description = "Overlap between tiles in pixels; overlaps are averaged.", DefaultValueFactory = _ => 32 }.Within(0, 1024);
    private readonly Option<double> memory = new Option<double>("--memory-budget") { Description = "GiB the network's activations may use before images are tiled automatically.", DefaultValueFactory = _ => 2.0 }.Within(0.125, 1024.0, "GiB");
    private readonly Option<string> device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int?> threads = new Option<int?>("--threads") { Description = "CPU threads for the network (default: one per core)." }.Within(1, OptionRange.MaxThreads, "four per core");
    private readonly Option<int> ensemble = new Option<int>("--self-ensemble") { Description = "Average the outputs of 1 (off), 2, 4 or 8 flipped/transposed copies of each image: a little more accurate, that many times slower.", DefaultValueFactory = _ => 1 }.OneOf(1, 2, 4, 8);
    private readonly Option<long?> maxPixels = new Option<long?>("--max-pixels") { Description = $"Largest image accepted, in pixels (width × height as its header declares, checked before decoding). Default: ${ImageLimits.EnvironmentVariable} or {ImageLimits.DefaultMaxPixels:N0}." }.Within(1, ImageLimits.Ceiling);
    private readonly Option<string> runtime = new("--runtime") { Description = "What runs the network: auto (the engine on CPUs with AVX-512 or AVX2, else libtorch), engine, libtorch (the module) or onnxruntime.", DefaultValueFactory = _ => "auto" };
    private readonly Option<string?> onnx = new("--onnx") { Description = "With --runtime onnxruntime: an exported model (restormer export) instead of exporting the loaded one in memory." };
    private readonly Option<string> provider = new("--execution-provider") { Description = $"With --runtime onnxruntime: {string.Join(", ", OnnxRuntimeRunner.Providers)} (all but cpu need an ONNX Runtime build with that provider).", DefaultValueFactory = _ => "cpu" };
    private readonly Option<string> precision = new Option<string>("--precision") { Description = "fp32 (exact, default), bf16 (2-3x faster on CPUs with native bfloat16, visually identical) or auto (bf16 where the CPU has it natively).", DefaultValueFactory = _ => "fp32" };

    /// <summary>
    /// Adds the options; <c>bench</c>, which takes its own list of precisions and times single passes, leaves
    /// <c>--precision</c> and <c>--self-ensemble</c> out.
    /// </summary>
    public void AddTo(Command command, bool withPrecisionAndEnsemble = true)
    {
        foreach (var option in new Option[] { tile, tileOverlap, memory, device, threads, maxPixels, runtime, onnx, provider })
            command.Options.Add(option);
        if (!withPrecisionAndEnsemble) return;
        command.Options.Add(precision);
        command.Options.Add(ensemble);
    }

    /// <summary>The options as the library takes them; throws <see cref="ArgumentException"/> when they contradict each other.</summary>
    public RestoreOptions Read(ParseResult parse)
    {
        if (parse.GetValue(tile) is int side && parse.GetValue(tileOverlap) >= side)
            throw new ArgumentException($"--tile-overlap ({parse.GetValue(tileOverlap)}) must be smaller than --tile ({side}).");
        return new()
        {
            TileSize = parse.GetValue(tile),
            TileOverlap = parse.GetValue(tileOverlap),
            MemoryBudgetBytes = (long)(parse.GetValue(memory) * (1L << 30)),
            Device = parse.GetValue(device)!,
            Threads = parse.GetValue(threads),
            SelfEnsemble = parse.GetValue(ensemble),
            Precision = parse.GetValue(precision) is { } text ? PrecisionExtensions.Parse(text) : Precision.Fp32,
            MaxPixels = parse.GetValue(maxPixels),
            Runtime = InferenceRuntimes.Parse(parse.GetValue(runtime)!),
            OnnxModel = parse.GetValue(onnx),
            ExecutionProvider = parse.GetValue(provider)!,
        };
    }
}

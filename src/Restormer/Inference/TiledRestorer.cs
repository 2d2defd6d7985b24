using Restormer.Interop;
using Restormer.Engine;
using Restormer.Export;
using Restormer.Model;
using Restormer.Runtimes;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Runs a <see cref="RestormerNet"/> on one image the way the reference demo does: reflect-pad bottom/right to a
/// multiple of 8, run whole or in overlapping tiles whose outputs are averaged, clamp to [0,1], crop back.
/// Tiles are chosen automatically when the whole image would exceed the memory budget. On CPUs with AVX-512 or AVX2 the
/// network runs on the <see cref="InferenceEngine"/>; elsewhere (and on CUDA) through the module's forward; on request
/// (<see cref="RestoreOptions.Runtime"/>) in ONNX Runtime.
/// </summary>
public sealed class TiledRestorer : IDisposable
{
    /// <summary>The network needs sides divisible by 8 (three 2× downsamplings).</summary>
    public const int SizeMultiple = 8;

    private readonly InferenceEngine? engine;
    private readonly OnnxRuntimeRunner? onnx;

    public RestormerNet Model { get; }
    public RestoreOptions Options { get; }

    /// <summary>What runs the network (never <see cref="InferenceRuntime.Auto"/>).</summary>
    public InferenceRuntime Runtime { get; }

    /// <summary>What runs the network, for reports: "AVX-512 engine", "AVX2 engine", "libtorch module (cpu)", "ONNX Runtime (cpu)".</summary>
    public string RuntimeName => Runtime switch
    {
        InferenceRuntime.Engine => $"{engine!.Isa.Name()} engine",
        InferenceRuntime.OnnxRuntime => $"ONNX Runtime ({onnx!.ExecutionProvider})",
        _ => $"libtorch module ({Options.Device})",
    };

    /// <summary>The precision in use: <see cref="RestoreOptions.Precision"/> resolved for this machine.</summary>
    public Precision Precision => engine?.Precision ?? Precision.Fp32;

    /// <summary>The activation memory of one forward pass with the path and precision in use, which decides automatic tiling.</summary>
    public MemoryEstimate MemoryEstimate => new(Model.Config, engine is not null, Precision);

    /// <summary>
    /// Prepares <paramref name="model"/> (already on its device) for restoring. Throws <see cref="NotSupportedException"/>
    /// when bf16 or the engine is asked for where the engine cannot run.
    /// </summary>
    public TiledRestorer(RestormerNet model, RestoreOptions options)
    {
        Model = model;
        Options = options;
        bool onCpu = model.parameters().All(p => p.device_type == TorchSharp.DeviceType.CPU);
        bool engineRuns = onCpu && InferenceEngine.IsSupported;
        Runtime = options.Runtime != InferenceRuntime.Auto ? options.Runtime : engineRuns ? InferenceRuntime.Engine : InferenceRuntime.Libtorch;
        if (Runtime == InferenceRuntime.Engine)
        {
            if (!engineRuns)
                throw new NotSupportedException($"The engine needs {(onCpu ? "a CPU with AVX-512 or AVX2 + FMA" : "--device cpu")}: use --runtime libtorch.");
            engine = GcPause.Run(() => new InferenceEngine(model, options.Precision.Resolve(), options.Threads)); // packing uses scalars too
            return;
        }
        if (options.Precision == Precision.Bf16)
            throw new NotSupportedException($"bf16 runs on the engine only (the CPU, with AVX2 or AVX-512){(engineRuns ? ", not with --runtime " + Runtime.ToString().ToLowerInvariant() : "")}: use --precision fp32.");
        if (Runtime == InferenceRuntime.OnnxRuntime)
            onnx = options.OnnxModel is { } path
                ? OnnxRuntimeRunner.Open(path, options.ExecutionProvider, options.Threads)
                : new OnnxRuntimeRunner(GcPause.Run(() => OnnxExport.ToBytes(model)), options.ExecutionProvider, options.Threads);
    }

    /// <summary>
    /// Restores a 1×C×H×W tensor in [0,1] (on the model's device). <paramref name="progress"/> receives the fraction of
    /// the work done as it goes (every band of the engine, every Transformer block of the module; see
    /// <see cref="WorkProgress"/>), ending at 1; <paramref name="cancellation"/> stops it within one band or block.
    /// Returns a new tensor of the input's size.
    /// </summary>
    public Tensor Restore(Tensor input, IProgress<double>? progress = null, CancellationToken cancellation = default) =>
        GcPause.Run(() => RestorePaused(input, progress, cancellation));

    private Tensor RestorePaused(Tensor input, IProgress<double>? progress, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int height = (int)input.shape[2], width = (int)input.shape[3];
        var padded = PadToMultiple(input);
        int paddedHeight = (int)padded.shape[2], paddedWidth = (int)padded.shape[3];
        var (plan, macsPerPass) = PlanPasses(paddedHeight, paddedWidth);
        var work = new WorkProgress(progress, plan?.Count ?? 1, macsPerPass, cancellation);
        var restored = plan is null ? Forward(padded, work) : RunTiles(padded, plan, work);
        // Damaged or overflowing weights give NaN, which would round to black pixels and pass for a result.
        if (!restored.isfinite().all().item<bool>())
            throw new InvalidDataException("The network's output holds NaN or infinite values (damaged weights, or values that overflow on this image); nothing was written.");
        var result = restored.clamp_(0, 1)[.., .., ..height, ..width].contiguous();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The tiles of a padded image (null: one pass over the whole) and the MACs of each pass.</summary>
    public (TilePlan? Plan, double MacsPerPass) PlanPasses(int paddedHeight, int paddedWidth)
    {
        var plan = ChooseTile(paddedHeight, paddedWidth) is int tile ? TilePlan.For(paddedHeight, paddedWidth, tile, Options.TileOverlap) : null;
        return (plan, ModelCost.MultiplyAccumulates(Model.Config, plan?.Tile ?? paddedHeight, plan?.Tile ?? paddedWidth));
    }

    /// <summary>The tile side used for a padded image, or null to run it whole.</summary>
    public int? ChooseTile(int paddedHeight, int paddedWidth)
    {
        if (Options.TileSize is int requested)
        {
            if (requested < SizeMultiple || requested % SizeMultiple != 0)
                throw new ArgumentException($"The tile size must be a positive multiple of {SizeMultiple}, got {requested}.");
            return requested >= Math.Max(paddedHeight, paddedWidth) ? null : requested;
        }
        var estimate = MemoryEstimate;
        if (estimate.ActivationBytes(paddedHeight, paddedWidth) <= Options.MemoryBudgetBytes)
            return null;
        int side = estimate.LargestSquareSide(Options.MemoryBudgetBytes) / SizeMultiple * SizeMultiple;
        return Math.Max(Math.Max(side, 2 * Options.TileOverlap + SizeMultiple), 64);
    }

    /// <summary>One pass of the network, one of <paramref name="work"/>'s.</summary>
    private Tensor Forward(Tensor input, WorkProgress work)
    {
        work.ThrowIfCancellationRequested();
        var output = engine?.Forward(input, work) ?? onnx?.Forward(input) ?? ModuleForward(Model, input, work);
        work.EndPass();
        return output;
    }

    /// <summary>
    /// The module's forward, adding each Transformer block's MACs to <paramref name="work"/> and stopping before the next
    /// block once cancellation is asked for (the other layers are settled by <see cref="WorkProgress.EndPass"/>).
    /// </summary>
    internal static Tensor ModuleForward(RestormerNet model, Tensor input, WorkProgress work)
    {
        var config = model.Config;
        long fullPixels = input.shape[2] * input.shape[3];
        var previous = model.BlockRunner;
        model.BlockRunner = (block, x) =>
        {
            work.ThrowIfCancellationRequested();
            var y = previous is null ? block.call(x) : previous(block, x);
            int channels = (int)x.shape[1];
            long pixels = x.shape[2] * x.shape[3];
            // The level by resolution and width: full resolution is level 1 (heads[0]) at dim and at 2·dim channels.
            int level = pixels == fullPixels ? 0 : System.Numerics.BitOperations.Log2((uint)(channels / config.Dim));
            work.Add(ModelCost.Block(config, channels, pixels, config.Heads[level]));
            return y;
        };
        try
        {
            return model.call(input);
        }
        finally
        {
            model.BlockRunner = previous;
        }
    }

    private Tensor RunTiles(Tensor padded, TilePlan plan, WorkProgress work)
    {
        var sum = zeros(padded.shape[0], Model.Config.OutChannels, padded.shape[2], padded.shape[3], device: padded.device);
        var weight = zeros(1, 1, padded.shape[2], padded.shape[3], device: padded.device);
        foreach (var row in plan.Rows)
        foreach (var column in plan.Columns)
        {
            using var tileScope = NewDisposeScope();
            var rows = TensorIndex.Slice(row, row + plan.Tile);
            var columns = TensorIndex.Slice(column, column + plan.Tile);
            var output = Forward(padded[.., .., rows, columns], work);
            sum[.., .., rows, columns].add_(output);
            weight[.., .., rows, columns].add_(1);
        }
        return sum.div_(weight);
    }

    /// <summary>Reflect-pads bottom/right to a multiple of 8 (replicate where the image is too small to reflect).</summary>
    public static Tensor PadToMultiple(Tensor input)
    {
        long height = input.shape[2], width = input.shape[3];
        long padHeight = (SizeMultiple - height % SizeMultiple) % SizeMultiple;
        long padWidth = (SizeMultiple - width % SizeMultiple) % SizeMultiple;
        if (padHeight == 0 && padWidth == 0) return input.alias();
        var mode = padHeight < height && padWidth < width ? TorchSharp.PaddingModes.Reflect : TorchSharp.PaddingModes.Replicate;
        return nn.functional.pad(input, [0, padWidth, 0, padHeight], mode);
    }

    public void Dispose()
    {
        engine?.Dispose();
        onnx?.Dispose();
    }
}

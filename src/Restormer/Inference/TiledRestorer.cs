using Restormer.Interop;
using Restormer.Engine;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Runs a <see cref="RestormerNet"/> on one image the way the reference demo does: reflect-pad bottom/right to a
/// multiple of 8, run whole or in overlapping tiles whose outputs are averaged, clamp to [0,1], crop back.
/// Tiles are chosen automatically when the whole image would exceed the memory budget. On CPUs with AVX-512 the
/// network runs on the <see cref="InferenceEngine"/>; elsewhere (and on CUDA) through the module's forward.
/// </summary>
public sealed class TiledRestorer : IDisposable
{
    /// <summary>The network needs sides divisible by 8 (three 2× downsamplings).</summary>
    public const int SizeMultiple = 8;

    private readonly InferenceEngine? engine;

    public RestormerNet Model { get; }
    public RestoreOptions Options { get; }

    /// <summary>The precision in use: <see cref="RestoreOptions.Precision"/> resolved for this machine.</summary>
    public Precision Precision => engine?.Precision ?? Precision.Fp32;

    /// <summary>The activation memory of one forward pass with the path and precision in use, which decides automatic tiling.</summary>
    public MemoryEstimate MemoryEstimate => new(Model.Config, engine is not null, Precision);

    /// <summary>
    /// Prepares <paramref name="model"/> (already on its device) for restoring. Throws <see cref="NotSupportedException"/>
    /// when bf16 is asked for where the engine cannot run.
    /// </summary>
    public TiledRestorer(RestormerNet model, RestoreOptions options)
    {
        Model = model;
        Options = options;
        bool onCpu = model.parameters().All(p => p.device_type == TorchSharp.DeviceType.CPU);
        var precision = options.Precision.Resolve();
        if (onCpu && InferenceEngine.IsSupported)
            engine = GcPause.Run(() => new InferenceEngine(model, precision, options.Threads)); // packing uses scalars too
        else if (precision == Precision.Bf16)
            throw new NotSupportedException($"bf16 inference needs a CPU with AVX-512{(onCpu ? "" : " (and runs on the CPU only)")}: use --precision fp32.");
    }

    /// <summary>
    /// Restores a 1×C×H×W tensor in [0,1] (on the model's device). <paramref name="progress"/> receives the fraction of
    /// tiles done. Returns a new tensor of the input's size.
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
        int? tile = ChooseTile(paddedHeight, paddedWidth);

        Tensor restored;
        if (tile is null)
        {
            cancellation.ThrowIfCancellationRequested();
            restored = Forward(padded);
        }
        else
        {
            restored = RunTiles(padded, TilePlan.For(paddedHeight, paddedWidth, tile.Value, Options.TileOverlap), progress, cancellation);
        }
        progress?.Report(1.0);
        // Damaged or overflowing weights give NaN, which would round to black pixels and pass for a result.
        if (!restored.isfinite().all().item<bool>())
            throw new InvalidDataException("The network's output holds NaN or infinite values (damaged weights, or values that overflow on this image); nothing was written.");
        var result = restored.clamp_(0, 1)[.., .., ..height, ..width].contiguous();
        return result.MoveToOuterDisposeScope();
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

    private Tensor Forward(Tensor input) => engine?.Forward(input) ?? Model.call(input);

    private Tensor RunTiles(Tensor padded, TilePlan plan, IProgress<double>? progress, CancellationToken cancellation)
    {
        var sum = zeros(padded.shape[0], Model.Config.OutChannels, padded.shape[2], padded.shape[3], device: padded.device);
        var weight = zeros(1, 1, padded.shape[2], padded.shape[3], device: padded.device);
        int done = 0;
        foreach (var row in plan.Rows)
        foreach (var column in plan.Columns)
        {
            cancellation.ThrowIfCancellationRequested();
            using (var tileScope = NewDisposeScope())
            {
                var rows = TensorIndex.Slice(row, row + plan.Tile);
                var columns = TensorIndex.Slice(column, column + plan.Tile);
                var output = Forward(padded[.., .., rows, columns]);
                sum[.., .., rows, columns].add_(output);
                weight[.., .., rows, columns].add_(1);
            }
            progress?.Report(++done / (double)plan.Count);
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

    public void Dispose() => engine?.Dispose();
}

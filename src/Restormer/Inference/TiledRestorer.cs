using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Runs a <see cref="RestormerNet"/> on one image the way the reference demo does: reflect-pad bottom/right to a
/// multiple of 8, run whole or in overlapping tiles whose outputs are averaged, clamp to [0,1], crop back.
/// Tiles are chosen automatically when the whole image would exceed the memory budget.
/// </summary>
public sealed class TiledRestorer(RestormerNet model, RestoreOptions options)
{
    /// <summary>The network needs sides divisible by 8 (three 2× downsamplings).</summary>
    public const int SizeMultiple = 8;

    public RestormerNet Model { get; } = model;
    public RestoreOptions Options { get; } = options;

    /// <summary>
    /// Restores a 1×C×H×W tensor in [0,1] (on the model's device). <paramref name="progress"/> receives the fraction of
    /// tiles done. Returns a new tensor of the input's size.
    /// </summary>
    public Tensor Restore(Tensor input, IProgress<double>? progress = null, CancellationToken cancellation = default)
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
            restored = Model.call(padded);
        }
        else
        {
            restored = RunTiles(padded, TilePlan.For(paddedHeight, paddedWidth, tile.Value, Options.TileOverlap), progress, cancellation);
        }
        progress?.Report(1.0);
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
        if (MemoryEstimate.ActivationBytes(Model.Config, paddedHeight, paddedWidth) <= Options.MemoryBudgetBytes)
            return null;
        long pixels = Options.MemoryBudgetBytes / MemoryEstimate.BytesPerPixel(Model.Config);
        int side = (int)Math.Sqrt(pixels) / SizeMultiple * SizeMultiple;
        return Math.Max(Math.Max(side, 2 * Options.TileOverlap + SizeMultiple), 64);
    }

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
                var output = Model.call(padded[.., .., rows, columns]);
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
}

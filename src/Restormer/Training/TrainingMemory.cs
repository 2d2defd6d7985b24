using Restormer.Inference;
using Restormer.Training.Options;

namespace Restormer.Training;

/// <summary>
/// What a training run will hold, estimated from its options before anything is allocated, so that a patch size or
/// width beyond the machine is one line instead of a native allocation failure hours or seconds in. Weights, their
/// gradients and AdamW's two moments take 16 bytes per weight (<see cref="ModelCost.Parameters"/>); a step keeps about
/// 4 KB of activations per pixel and channel of width (1 KB with <c>checkpoint_blocks</c>), measured with the compact
/// and full networks (docs/training.md: 1984 MiB for dim 24 at 64² × 8; 7061 MiB for dim 48 at 128² × 2).
/// </summary>
public static class TrainingMemory
{
    private const double ActivationBytesPerPixelPerChannel = 4096, CheckpointedActivationBytesPerPixelPerChannel = 1024;

    /// <summary>The estimated peak bytes of each progressive stage of <paramref name="options"/>.</summary>
    public static IEnumerable<(int Stage, int Batch, int Patch, double Bytes)> Stages(TrainingOptions options)
    {
        var set = options.TrainSet;
        double weights = 16 * ModelCost.Parameters(options.Network);
        double perPixel = options.Network.Dim * (options.Train.CheckpointBlocks ? CheckpointedActivationBytesPerPixelPerChannel : ActivationBytesPerPixelPerChannel);
        for (int stage = 0; stage < set.GtSizes.Length; stage++)
            yield return (stage, set.MiniBatchSizes[stage], set.GtSizes[stage], weights + perPixel * set.MiniBatchSizes[stage] * (double)set.GtSizes[stage] * set.GtSizes[stage]);
    }

    /// <summary>Throws <see cref="OptionException"/> naming the stage and the options to lower when a stage needs more than <paramref name="availableBytes"/>.</summary>
    public static void Check(TrainingOptions options, long availableBytes)
    {
        foreach (var (stage, batch, patch, bytes) in Stages(options))
            if (bytes > availableBytes)
                throw new OptionException(
                    $"{options.SourceFile}: training stage {stage + 1} ({batch} patches of {patch}×{patch} on a width-{options.Network.Dim} network of {ModelCost.Parameters(options.Network):N0} weights) " +
                    $"needs about {Gib(bytes)} of memory, more than the {Gib(availableBytes)} this machine has: lower 'gt_sizes'/'gt_size', 'mini_batch_sizes' or 'dim'" +
                    (options.Train.CheckpointBlocks ? "." : ", or set 'checkpoint_blocks: true' (about a quarter of the activations)."));
    }

    private static string Gib(double bytes) => bytes >= 1L << 40 ? $"{bytes / (1L << 40):N0} TiB" : $"{bytes / (1 << 30):N1} GiB";
}

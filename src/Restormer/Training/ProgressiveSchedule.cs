using Restormer.Training.Options;

namespace Restormer.Training;

/// <summary>One progressive-learning stage: the batch size and patch size used up to <see cref="LastIteration"/>.</summary>
public sealed record ProgressiveStage(int Index, int BatchSize, int PatchSize, long LastIteration);

/// <summary>
/// Progressive learning (Restormer §3.3): training starts on many small patches and moves to fewer, larger ones.
/// Stage j covers iterations up to the running sum of <c>iters</c> (1-based, inclusive); iterations past the last
/// boundary stay in the last stage, as the reference.
/// </summary>
public sealed class ProgressiveSchedule
{
    readonly ProgressiveStage[] stages;

    /// <summary>Builds the stages from the <c>mini_batch_sizes</c>, <c>iters</c> and <c>gt_sizes</c> lists.</summary>
    public ProgressiveSchedule(int[] miniBatchSizes, int[] iters, int[] patchSizes)
    {
        if (miniBatchSizes.Length != patchSizes.Length || (iters.Length != 0 && iters.Length != patchSizes.Length) || patchSizes.Length == 0)
            throw new ArgumentException("mini_batch_sizes, iters and gt_sizes need one entry per stage.");
        long end = 0;
        stages = patchSizes.Select((size, j) =>
        {
            end = iters.Length == 0 ? long.MaxValue : end + iters[j];
            return new ProgressiveStage(j, miniBatchSizes[j], size, end);
        }).ToArray();
    }

    /// <summary>The schedule of a training set's options.</summary>
    public static ProgressiveSchedule From(DatasetOptions set) => new(set.MiniBatchSizes, set.Iters, set.GtSizes);

    /// <summary>All stages in order.</summary>
    public IReadOnlyList<ProgressiveStage> Stages => stages;

    /// <summary>The stage of (1-based) <paramref name="iteration"/>: the first whose boundary is not below it, else the last.</summary>
    public ProgressiveStage StageAt(long iteration) =>
        stages.FirstOrDefault(s => iteration <= s.LastIteration) ?? stages[^1];
}

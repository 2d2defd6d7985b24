using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Training;

/// <summary>
/// Checks each progressive stage's patch size (<c>gt_sizes</c>, <c>gt_size</c>) against the training images before
/// training. Like the reference, an image smaller than the patch is padded by reflection, which is right for a few
/// rows; but a patch that no image can fill even a quarter of trains mostly on mirrored padding (a <c>gt_size</c> of
/// 4096 on 64×64 images), so that is refused in one line naming the largest patch the data allows.
/// </summary>
public static class PatchSizes
{
    /// <summary>Smallest share of a patch that real pixels of the best-fitting image must cover.</summary>
    public const double MinimumRealShare = 0.25;

    /// <summary>Throws <see cref="OptionException"/> when a stage's patch is mostly padding on every image of <paramref name="set"/>.</summary>
    public static void Check(TrainingOptions options, IPairedImageSet set)
    {
        long allowed = 0;
        string largest = "";
        for (int i = 0; i < set.Count; i++)
        {
            var (width, height) = set.SizeOf(i);
            long patch = Largest(width, height);
            if (patch > allowed) (allowed, largest) = (patch, $"{width}×{height}, {set.NameOf(i)}");
        }
        var sizes = options.TrainSet.GtSizes;
        for (int stage = 0; stage < sizes.Length; stage++)
            if (sizes[stage] > allowed)
                throw new OptionException(
                    $"{options.SourceFile}: training stage {stage + 1}'s patches of {sizes[stage]}×{sizes[stage]} would be mostly mirrored padding: " +
                    $"no training image covers a quarter of one (the best is {largest}); lower 'gt_sizes'/'gt_size' to at most {allowed}, or train on larger images.");
    }

    /// <summary>
    /// The largest square patch a <paramref name="width"/>×<paramref name="height"/> image covers at least
    /// <see cref="MinimumRealShare"/> of: min(w, p)·min(h, p) / p² ≥ ¼ gives p = 4·short side while that is within
    /// the long side, else 2·√(w·h).
    /// </summary>
    public static long Largest(long width, long height)
    {
        long shortSide = Math.Min(width, height), longSide = Math.Max(width, height);
        return 4 * shortSide <= longSide ? 4 * shortSide : (long)Math.Floor(2 * Math.Sqrt((double)width * height));
    }
}

using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using Restormer.Training;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

/// <summary>Patch sizes against the training images: padding a little is the reference's way, patches of mostly mirrored padding are refused.</summary>
public class PatchSizesTests
{
    [Theory]
    [InlineData(64, 64, 128)]     // 128² holds one 64² image: a quarter
    [InlineData(1280, 720, 1920)] // 1280·720 / 1920² = ¼
    [InlineData(1000, 100, 400)]  // 100·400 / 400² = ¼ while the patch is within the long side
    [InlineData(100, 1000, 400)]
    public void TheLargestPatchIsTheOneAQuarterCovered(long width, long height, long patch)
    {
        Assert.Equal(patch, PatchSizes.Largest(width, height));
        double Covered(long p) => (double)Math.Min(width, p) * Math.Min(height, p) / ((double)p * p);
        Assert.Equal(PatchSizes.MinimumRealShare, Covered(patch), 6);
        Assert.True(Covered(patch + 1) < PatchSizes.MinimumRealShare);
    }

    [Fact]
    public void PatchesMostlyOfPaddingAreOneLineBeforeAnythingIsMade()
    {
        using var folder = TestPaths.NewTempFolder("train-patches");
        var sharp = Directory.CreateDirectory(folder["sharp"]).FullName;
        foreach (var (name, width, height) in new[] { ("a.png", 64, 64), ("b.png", 80, 48), ("c.png", 40, 40) })
            using (var image = new Mat(height, width, MatType.CV_8UC3, Scalar.All(120)))
                Cv2.ImWrite(Path.Combine(sharp, name), image);
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "options", "MotionDeblur_Compact_Synthetic.yml"))
            .Replace("dataroot_sharp: ../shared/data/sharp", $"dataroot_sharp: {sharp}")
            .Replace("mini_batch_sizes: [8, 4]", "mini_batch_sizes: [1, 1]")
            .Replace("gt_sizes: [64, 128]", "gt_sizes: [128, 256]")
            .Replace("gt_size: 128", "gt_size: 256")
            .Replace("dim: 24", "dim: 8");
        File.WriteAllText(folder["train.yml"], text);
        var experiments = folder["experiments"];

        var result = CliRunner.Run(TrainCommand.Create(), "--opt", folder["train.yml"], "--experiments-dir", experiments);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {folder["train.yml"]}: training stage 2's patches of 256×256 would be mostly mirrored padding: no training image covers a quarter " +
                     "of one (the best is 64×64, a); lower 'gt_sizes'/'gt_size' to at most 128, or train on larger images.\n", result.Err);
        Assert.False(Directory.Exists(experiments));
    }

    [Fact]
    public void TheShippedRecipeFitsItsData()
    {
        using var folder = TestPaths.NewTempFolder("train-patches");
        File.WriteAllText(folder["train.yml"], File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "options", "MotionDeblur_Compact_Synthetic.yml"))
            .Replace("dataroot_sharp: ../shared/data/sharp", $"dataroot_sharp: {Path.Combine(TestPaths.Shared, "data", "sharp")}"));
        var options = TrainingOptions.Load(folder["train.yml"]);
        PatchSizes.Check(options, options.TrainSet.Source.Open());
    }
}

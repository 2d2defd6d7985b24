using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using Restormer.Training;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

/// <summary>
/// Patch sizes, batches and widths beyond the machine are refused from the options, in one line and before any folder
/// or tensor exists (a gt_size of 1,000,000 was an OpenCV allocation trace, a dim of 100,000 a native one); the
/// recipes this project ships fit the 24 GiB machine it documents.
/// </summary>
public class TrainingMemoryTests
{
    static string Options(TempFolder folder, int dim, int gtSize, int batch, bool checkpointBlocks = false)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "options", "MotionDeblur_Compact_Synthetic.yml"))
            .Replace("dataroot_sharp: ../shared/data/sharp", $"dataroot_sharp: {Path.Combine(TestPaths.Shared, "data", "sharp")}")
            .Replace("mini_batch_sizes: [8, 4]", $"mini_batch_sizes: [{batch}]")
            .Replace("batch_size_per_gpu: 8", $"batch_size_per_gpu: {batch}")
            .Replace("iters: [12000, 8000]", "iters: [10]")
            .Replace("total_iter: 20000", "total_iter: 10")
            .Replace("gt_size: 128", $"gt_size: {gtSize}")
            .Replace("gt_sizes: [64, 128]", $"gt_sizes: [{gtSize}]")
            .Replace("dim: 24", $"dim: {dim}")
            .Replace("checkpoint_blocks: false", $"checkpoint_blocks: {(checkpointBlocks ? "true" : "false")}");
        var path = folder["train.yml"];
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData(24, 1_000_000, 8, "TiB")]
    [InlineData(24, 4096, 8, "TiB")]
    [InlineData(24, 1024, 8, "GiB")]
    [InlineData(100_000, 64, 8, "TiB")]
    public void ARunBeyondTheMachineIsOneLineBeforeAnythingIsMade(int dim, int gtSize, int batch, string unit)
    {
        using var folder = TestPaths.NewTempFolder("train-memory");
        var experiments = folder["experiments"];
        var result = CliRunner.Run(TrainCommand.Create(), "--opt", Options(folder, dim, gtSize, batch), "--experiments-dir", experiments);
        Assert.Equal(2, result.ExitCode);
        Assert.Matches($@"^error: [^\n]*training stage 1 \({batch} patches of {gtSize}×{gtSize} on a width-{dim} network[^\n]*needs about [0-9,.]+ {unit} of memory, more than the [^\n]*\n$", result.Err);
        Assert.False(Directory.Exists(experiments));
    }

    [Fact]
    public void CheckpointedBlocksNeedAQuarterOfTheActivations()
    {
        using var folder = TestPaths.NewTempFolder("train-memory");
        var plain = TrainingOptions.Load(Options(folder, 48, 256, 8));
        var checkpointed = TrainingOptions.Load(Options(folder, 48, 256, 8, checkpointBlocks: true));
        double weights = 16 * Restormer.Inference.ModelCost.Parameters(plain.Network);
        double activations = TrainingMemory.Stages(plain).Single().Bytes - weights;
        Assert.Equal(activations / 4, TrainingMemory.Stages(checkpointed).Single().Bytes - weights, 3);
        Assert.Contains("checkpoint_blocks: true", Assert.Throws<OptionException>(() => TrainingMemory.Check(plain, 8L << 30)).Message);
    }

    [Theory]
    [InlineData("MotionDeblur_Compact_Synthetic.yml")]
    [InlineData("MotionDeblur_Compact_Default.yml")]
    public void TheShippedRecipesFitTheDocumentedMachine(string file)
    {
        var options = TrainingOptions.Load(Path.Combine(TestPaths.RepoRoot, "options", file));
        TrainingMemory.Check(options, 24L << 30);
    }
}

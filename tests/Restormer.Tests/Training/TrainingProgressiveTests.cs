using Restormer.Training;

namespace Restormer.Tests.Training;

public class TrainingProgressiveTests
{
    // The published recipe: batch 8 → 1 and patch 128 → 384 over six stages.
    static readonly ProgressiveSchedule Published = new(
        [8, 5, 4, 2, 1, 1], [92000, 64000, 48000, 36000, 36000, 24000], [128, 160, 192, 256, 320, 384]);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(92000, 0)]
    [InlineData(92001, 1)]
    [InlineData(156000, 1)]
    [InlineData(156001, 2)]
    [InlineData(204000, 2)]
    [InlineData(240001, 4)]
    [InlineData(300000, 5)]
    [InlineData(300001, 5)]
    [InlineData(999999, 5)]
    public void StageBoundariesAreRunningSumsInclusive(long iteration, int stage)
    {
        // The reference picks the first j with iteration <= sum(iters[0..j]), else the last stage.
        Assert.Equal(stage, Published.StageAt(iteration).Index);
    }

    [Fact]
    public void StagesCarryTheirBatchAndPatchSize()
    {
        var stage = Published.StageAt(160000);
        Assert.Equal((4, 192, 204000L), (stage.BatchSize, stage.PatchSize, stage.LastIteration));
    }

    [Fact]
    public void WithoutItersThereIsOneEndlessStage()
    {
        var single = new ProgressiveSchedule([8], [], [128]);
        Assert.Equal((0, 8, 128), (single.StageAt(1_000_000).Index, single.StageAt(5).BatchSize, single.StageAt(5).PatchSize));
    }
}

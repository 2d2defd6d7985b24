using Restormer.Cli.Commands;

namespace Restormer.Tests.Cli;

public class NewModelCommandTests
{
    [Fact]
    public void WritesACheckpointWhoseArchitectureReadsBack()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "small.pth");
        var result = CliRunner.Run(NewModelCommand.Create(), "--output", path, "--dim", "8", "--blocks", "1,1,2,1", "--refinement", "1", "--layernorm", "BiasFree");
        Assert.True(result.ExitCode == 0, result.Err);
        using var model = Restormer.Model.RestormerNet.FromCheckpoint(path);
        Assert.Equal(new[] { 1, 1, 2, 1 }, model.Config.NumBlocks);
        Assert.Equal(Restormer.Model.LayerNormType.BiasFree, model.Config.LayerNormType);
    }

    [Fact]
    public void BadBlockCountsAreAClearError()
    {
        var result = CliRunner.Run(NewModelCommand.Create(), "--output", Path.Combine(TestPaths.NewTempDir(), "x.pth"), "--blocks", "4,6");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--blocks", result.Err);
    }
}

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

    [Theory]
    [InlineData("new-model")]
    [InlineData("export")]
    public void AnExistingOutputIsReplacedOnlyWithOverwrite(string command)
    {
        var folder = TestPaths.NewTempDir();
        var output = Path.Combine(folder, "photo.png");
        File.WriteAllBytes(output, [1, 2, 3]);
        string[] args = command == "new-model"
            ? ["--output", output, "--dim", "8", "--blocks", "1,1,1,1", "--refinement", "1"]
            : ["--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"), "--output", output];
        System.CommandLine.Command Create() => command == "new-model" ? NewModelCommand.Create() : ExportCommand.Create();

        var refused = CliRunner.Run(Create(), args);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"'{output}' exists already: add --overwrite", refused.Err);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(output));

        var replaced = CliRunner.Run(Create(), [.. args, "--overwrite"]);
        Assert.True(replaced.ExitCode == 0, replaced.Err);
        Assert.True(new FileInfo(output).Length > 1000);
    }

    [Fact]
    public void BadBlockCountsAreAClearError()
    {
        var result = CliRunner.Run(NewModelCommand.Create(), "--output", Path.Combine(TestPaths.NewTempDir(), "x.pth"), "--blocks", "4,6");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--blocks", result.Err);
    }
}

using OpenCvSharp;

namespace Restormer.Tests.Downloads;

/// <summary>
/// What only a separate process shows: the proxy variables (read once per process), signals during a download, and
/// what <c>restore</c> says about the weights it finds.
/// </summary>
public sealed class ModelFetchProcessTests : DownloadTest
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private static readonly Dictionary<string, string?> NoVariables = [];

    [Theory]
    [InlineData("HTTP_PROXY")]
    [InlineData("http_proxy")]
    public void TheProxyVariablesAreHonoured(string variable)
    {
        using var proxy = new LoopbackProxy(Motion);
        // '.invalid' never resolves: the download can only succeed through the proxy.
        using var cli = CliProcess.Start(new Dictionary<string, string?> { [variable] = proxy.Url },
            "models", "fetch", "motion_deblurring", "--url", "http://weights.invalid/motion_deblurring.pth", "--models-dir", Dir);
        var (code, output, errors) = cli.Wait(Limit);
        Assert.Equal(["GET http://weights.invalid/motion_deblurring.pth HTTP/1.1"], proxy.RequestLines);
        AssertReceivedWhole(code, errors);
    }

    /// <summary>
    /// The whole small checkpoint arrived and was read: the process checks it against the paper's architecture, which
    /// a 1 MB file cannot have (the in-process tests give the command a catalogue of small models instead).
    /// </summary>
    private void AssertReceivedWhole(int code, string errors)
    {
        Assert.Equal(2, code);
        Assert.Contains("not one for motion_deblurring (dim 8, blocks [1,2,2,1], 2 refinement blocks", errors);
        Assert.Contains("instead of dim 48, blocks [4,6,6,8], 4 refinement blocks", errors);
        Assert.Empty(Files());
    }

    [Fact]
    public void NoProxyBypassesTheProxy()
    {
        using var cli = CliProcess.Start(new Dictionary<string, string?>
        {
            ["HTTP_PROXY"] = $"http://127.0.0.1:{LoopbackPort.Free()}", // nothing listens there
            ["NO_PROXY"] = "127.0.0.1",
        }, "models", "fetch", "motion_deblurring", "--url", Server.BaseUrl + "ok.pth", "--models-dir", Dir);
        var (code, _, errors) = cli.Wait(Limit);
        Assert.Equal(["/ok.pth"], Server.Requests);
        AssertReceivedWhole(code, errors);
    }

    [SkippableTheory]
    [InlineData(2)]  // SIGINT, Ctrl-C
    [InlineData(15)] // SIGTERM
    public async Task ASignalDuringADownloadLeavesOnlyTheResumablePartial(int signal)
    {
        using var cli = CliProcess.Start(NoVariables, "models", "fetch", "motion_deblurring", "--url", Server.BaseUrl + "stall.pth", "--timeout", "300", "--models-dir", Dir);
        await Server.StallStarted.Task.WaitAsync(Limit);
        var partial = Path.Combine(Dir, "motion_deblurring.pth.part");
        var until = DateTime.UtcNow + Limit;
        while (!(File.Exists(partial) && new FileInfo(partial).Length == 4096) && DateTime.UtcNow < until)
            await Task.Delay(50);
        Skip.If(cli.Ignores(signal), $"The CLI's process ignores signal {signal}, inherited from this test run (a job started in the " +
                                     "background of a non-interactive shell ignores Ctrl-C): run the tests in the foreground to check it.");
        cli.Signal(signal);
        var (code, output, errors) = cli.Wait(TimeSpan.FromSeconds(30));
        Assert.Contains(code, new[] { 130, 143 });
        Assert.Contains("run the same command again to resume", output);
        Assert.DoesNotContain("   at ", errors);
        Assert.Equal(["motion_deblurring.pth.part"], Files());

        var resumed = Cli.CliRunner.Run(Restormer.Cli.Commands.ModelsCommand.Create(Catalogue), "fetch", "motion_deblurring", "--url", Server.BaseUrl + "ok.pth", "--models-dir", Dir);
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal("/ok.pth bytes=4096-", Server.Requests.Last());
        Assert.Equal(Motion, File.ReadAllBytes(Installed));
    }

    [Fact]
    public void RestoreWithoutThePublishedWeightsPrintsTheFetchCommand()
    {
        File.Copy(Path.Combine(TestPaths.RepoRoot, "models", "motion_deblurring_compact.pth"), Path.Combine(Dir, "motion_deblurring_compact.pth"));
        var (code, output, errors) = Restore();
        Assert.True(code == 0, output + errors);
        Assert.Contains("the small model this project ships is used meanwhile", output);
        Assert.Contains("For the paper's weights run: ./restormer models fetch motion_deblurring", output);
    }

    [Fact]
    public void RestoreSaysWhenDownloadedWeightsChanged()
    {
        var weights = Installed;
        File.WriteAllBytes(weights, Motion);
        File.WriteAllText(weights + ".sha256", $"{new string('a', 64)}  motion_deblurring.pth\n");
        var (code, output, errors) = Restore();
        Assert.True(code == 0, output + errors);
        Assert.Contains("has changed since it was downloaded", errors);
        Assert.Contains("./restormer models fetch motion_deblurring --force", errors);
    }

    private (int, string, string) Restore()
    {
        var input = Path.Combine(Dir, "in.png");
        using (var image = new Mat(24, 32, MatType.CV_8UC3, Scalar.All(128)))
            Cv2.ImWrite(input, image);
        using var cli = CliProcess.Start(new Dictionary<string, string?> { ["RESTORMER_MODELS"] = Dir },
            "restore", "--input", input, "--output", Path.Combine(Dir, "out"));
        return cli.Wait(Limit);
    }
}

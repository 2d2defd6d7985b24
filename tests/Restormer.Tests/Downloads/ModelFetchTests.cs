using Restormer.Checkpoints;
using System.Diagnostics;
using System.Security.Cryptography;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Downloads;

/// <summary><c>models fetch</c> against a loopback server that serves a checkpoint whole, by ranges, as a web page, cut off and stalled.</summary>
public sealed class ModelFetchTests : DownloadTest
{
    private string Partial => Installed + ".part";

    private CliRunner.Result Fetch(params string[] args) => CliRunner.Run(ModelsCommand.Create(Catalogue), ["fetch", .. args, "--models-dir", Dir]);

    private CliRunner.Result List() => CliRunner.Run(ModelsCommand.Create(Catalogue), "--models-dir", Dir);

    [Fact]
    public void FetchSavesTheCheckpointRecordsItsDigestAndListsIt()
    {
        var fetch = Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth");
        Assert.True(fetch.ExitCode == 0, fetch.Err);
        Assert.Equal(Motion, File.ReadAllBytes(Installed));
        var sha = Convert.ToHexStringLower(SHA256.HashData(Motion));
        Assert.Equal($"{sha}  motion_deblurring.pth\n", File.ReadAllText(Installed + ".sha256"));
        Assert.Equal(["motion_deblurring.pth", "motion_deblurring.pth.sha256"], Files());
        Assert.Contains("Academic Public License", fetch.Out);

        var list = List();
        Assert.Equal(0, list.ExitCode);
        var line = list.Out.Split('\n').Single(l => l.StartsWith("motion_deblurring "));
        Assert.Contains("installed", line);
        Assert.Contains(sha, line);
        Assert.Contains("dim 8, blocks [1,2,2,1], WithBias", line);
        Assert.Contains("https://github.com/swz30/Restormer/releases/download/v1.0/gaussian_gray_denoising_sigma50.pth", list.Out);
        Assert.Contains("missing", list.Out.Split('\n').Single(l => l.StartsWith("deraining ")));

        int requests = Server.Requests.Count;
        var again = Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already installed", again.Out);
        Assert.Equal(requests, Server.Requests.Count);
    }

    [Fact]
    public void AFileChangedAfterTheDownloadIsReported()
    {
        Assert.Equal(0, Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth").ExitCode);
        // Other weights of the same architecture: the file still verifies, only its digest differs.
        var state = CheckpointFile.Load(Installed);
        Restormer.Interop.GcPause.Run(() => state.Values.First().add_(1));
        CheckpointFile.SavePth(Installed, state);
        foreach (var tensor in state.Values) tensor.Dispose();
        var list = List();
        Assert.Contains("CHANGED", list.Out.Split('\n').Single(l => l.StartsWith("motion_deblurring ")));
        Assert.Contains("differs from the downloaded file", list.Out);
        var fetch = Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth");
        Assert.Contains("differs from the file downloaded earlier", fetch.Err);
    }

    [Fact]
    public void ARedirectToALocalFileIsOneLineAndReplacesNothing()
    {
        var fetch = Fetch("deraining", "--url", Server.BaseUrl + "redirect-file.pth");
        Assert.Equal(2, fetch.ExitCode);
        Assert.Matches(@"^error: [^\n]*redirect-file\.pth[^\n]*\n$", fetch.Err);
        Assert.DoesNotContain("Unhandled", fetch.Err);
        Assert.Empty(Files());
    }

    [Theory]
    [InlineData("page.html")]
    [InlineData("page.pth")]
    public void AWebPageIsRefusedAndReplacesNothing(string page)
    {
        var shipped = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "models", "motion_deblurring_compact.pth"));
        File.WriteAllBytes(Installed, shipped);
        var fetch = Fetch("motion_deblurring", "--url", Server.BaseUrl + page, "--force");
        Assert.Equal(2, fetch.ExitCode);
        Assert.Contains("web page", fetch.Err);
        Assert.Contains("nothing was saved", fetch.Err);
        Assert.Equal(shipped, File.ReadAllBytes(Installed));
        Assert.Equal(["motion_deblurring.pth"], Files());
    }

    [Theory]
    [InlineData("gaussian_gray_denoising_blind", "3 input and 3 output channels instead of 1 and 1")]
    [InlineData("real_denoising", "WithBias LayerNorm instead of BiasFree")]
    [InlineData("dual_pixel_defocus_deblurring", "no dual-pixel skip connection")]
    public void AnotherArchitectureIsRefused(string name, string difference)
    {
        var fetch = Fetch(name, "--url", Server.BaseUrl + "ok.pth");
        Assert.Equal(2, fetch.ExitCode);
        Assert.Contains($"not one for {name}", fetch.Err);
        Assert.Contains(difference, fetch.Err);
        Assert.Empty(Files());
    }

    [Fact]
    public void ATruncatedTransferIsResumedWithARangeRequest()
    {
        var fetch = Fetch("motion_deblurring", "--url", Server.BaseUrl + "truncated-once.pth", "--retries", "1");
        Assert.True(fetch.ExitCode == 0, fetch.Err);
        Assert.Equal(Motion, File.ReadAllBytes(Installed));
        var requests = Server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("/truncated-once.pth", requests[0]);
        var resumedAt = long.Parse(requests[1].Split("bytes=")[1].TrimEnd('-'));
        Assert.InRange(resumedAt, 1, Motion.Length / 2);
    }

    [Fact]
    public void APartialFromAFailedRunIsListedAndResumedByTheNext()
    {
        var failed = Fetch("motion_deblurring", "--url", Server.BaseUrl + "truncated.pth", "--retries", "0");
        Assert.Equal(2, failed.ExitCode);
        Assert.Contains("run the same command again to resume", failed.Err);
        Assert.Equal(["motion_deblurring.pth.part"], Files());
        long kept = new FileInfo(Partial).Length;
        Assert.InRange(kept, 1, Motion.Length / 2);
        Assert.Contains("partial download", List().Out);

        var resumed = Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains("resuming at", resumed.Out);
        Assert.Equal($"/ok.pth bytes={kept}-", Server.Requests.Last());
        Assert.Equal(Motion, File.ReadAllBytes(Installed));
        Assert.Equal(["motion_deblurring.pth", "motion_deblurring.pth.sha256"], Files());
    }

    [Fact]
    public void AStalledTransferTimesOutWithAClearMessage()
    {
        var watch = Stopwatch.StartNew();
        var fetch = Fetch("motion_deblurring", "--url", Server.BaseUrl + "stall.pth", "--timeout", "1", "--retries", "0");
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 20);
        Assert.Equal(2, fetch.ExitCode);
        Assert.Contains("stalled: nothing received for 1 s", fetch.Err);
        Assert.Equal(["motion_deblurring.pth.part"], Files());
        Assert.Equal(Motion.AsSpan(0, 4096).ToArray(), File.ReadAllBytes(Partial));
    }

    [Fact]
    public void AWrongDigestOrAMissingFileKeepsNothing()
    {
        var wrong = Fetch("motion_deblurring", "--url", Server.BaseUrl + "ok.pth", "--sha256", new string('0', 64));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("SHA-256", wrong.Err);
        var missing = Fetch("motion_deblurring", "--url", Server.BaseUrl + "nothing.pth");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("HTTP 404", missing.Err);
        Assert.Empty(Files());
    }

    [Theory]
    [InlineData("Name the models", "fetch")]
    [InlineData("Unknown model 'motion'", "fetch", "motion")]
    [InlineData("one model", "fetch", "deraining", "real_denoising", "--url", "http://127.0.0.1:9/x.pth")]
    [InlineData("--timeout must be from 1 to 3600", "fetch", "deraining", "--timeout", "0")]
    [InlineData("--retries must be from 0 to 100", "fetch", "deraining", "--retries", "-1")]
    [InlineData("64 hex digits", "fetch", "deraining", "--sha256", "abc")]
    public void BadRequestsAreOneLineErrors(string message, params string[] args)
    {
        var result = CliRunner.Run(ModelsCommand.Create(Catalogue), [.. args, "--models-dir", Dir]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.Empty(Files());
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Restormer.Cli.Commands;
using Xunit.Abstractions;

namespace Restormer.Tests.Cli;

/// <summary>
/// Ctrl-C and SIGTERM during a restore, sent to the CLI process mid-image as a terminal or a service manager does:
/// it stops within about a second, keeps no partial output, exits 130 (143 for SIGTERM), and never prints a stack
/// trace, even for a second signal.
/// </summary>
[Collection(nameof(RunsAlone))] // timing: the stop is measured on a machine not busy with other tests
public sealed class InterruptionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = TestPaths.NewTempDir("interrupt");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(PosixSignal.SIGINT, 1, 130, "stopped by Ctrl-C")]
    [InlineData(PosixSignal.SIGINT, 2, 130, null)]   // the second may find it stopped already or end it at once
    [InlineData(PosixSignal.SIGTERM, 1, 143, "stopped by SIGTERM")]
    [InlineData(PosixSignal.SIGTERM, 2, 143, null)]
    public void SignalMidImageStopsPromptlyWithoutPartialOutputOrTrace(PosixSignal signal, int times, int exitCode, string? message)
    {
        // A medium random model on a 1280×720 frame: many seconds of work, interrupted one second into the image.
        var weights = Path.Combine(folder, "medium.pth");
        Assert.Equal(0, CliRunner.Run(NewModelCommand.Create(), "-o", weights, "--dim", "24", "--blocks", "2,3,3,4", "--refinement", "2").ExitCode);
        var input = Path.Combine(folder, "frame.png");
        File.Copy(Directory.GetFiles(Path.Combine(TestPaths.Shared, "data", "samples", "motion_blur"), "*.png").Order().First(), input);
        var results = Path.Combine(folder, "results");

        using var cli = CliProcess.Start(null, "restore", "-i", input, "-o", results, "-w", weights);
        cli.WaitForOutput("Model:", TimeSpan.FromSeconds(120));
        Thread.Sleep(1000);
        var stopping = Stopwatch.StartNew();
        cli.Signal(signal);
        if (times == 2)
        {
            Thread.Sleep(300);
            cli.Signal(signal);
        }
        int code = cli.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine($"{signal} ×{times}: exit {code} {stopping.Elapsed.TotalSeconds:F2} s after the first signal\nstderr: {cli.Err}");

        Assert.Equal(exitCode, code);
        // About a second on an idle machine (the output above says how long); the bound leaves room for a loaded one.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"took {stopping.Elapsed.TotalSeconds:F1} s to stop");
        if (message is not null) Assert.Contains($"error: {message}; nothing half-written was kept.", cli.Err);
        Assert.DoesNotContain("Unhandled exception", cli.Err);
        Assert.DoesNotMatch(@"(?m)^\s+at \S", cli.Err);
        Assert.Empty(Directory.Exists(results) ? Directory.GetFileSystemEntries(results) : []);
        Assert.Equal(["frame.png", "medium.pth"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => n != "results").Order());
    }
}

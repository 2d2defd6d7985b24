using System.Diagnostics;
using OpenCvSharp;

namespace Restormer.Tests.Faults;

/// <summary><c>restore --json</c> with standard output on a full device (<c>/dev/full</c>), as a shell redirect makes it.</summary>
public class FullStandardOutputTests
{
    [Fact]
    public void AnUnwritableRecordEndsTheRunOnceInsteadOfReportingTheImageTwice()
    {
        using var folder = TestPaths.NewTempFolder("restormer-test-devfull");
        using (var image = new Mat(24, 32, MatType.CV_8UC3, Scalar.All(128)))
            Cv2.ImWrite(folder["in.png"], image);
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" restore --weights \"$1\" -i \"$2\" -o \"$3\" --json > /dev/full");
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll"), Path.Combine(TestPaths.Parity, "tiny_withbias.pth"), folder["in.png"], folder["out"] })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "restore did not finish");
        var lines = errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, process.ExitCode);
        Assert.Single(lines, line => line.StartsWith("ok   ") && line.Contains("in.png"));
        Assert.DoesNotContain(lines, line => line.StartsWith("FAIL"));
        Assert.Equal($"error: cannot write the --json records to standard output (No space left on device); '{folder["out"]}/in.png' was ok.", lines[^1]);
        Assert.DoesNotContain("   at ", errors.Result);
    }
}

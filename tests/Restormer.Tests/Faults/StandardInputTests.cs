using System.Diagnostics;

namespace Restormer.Tests.Faults;

/// <summary>
/// <c>restore -</c> fed without end (as <c>cat /dev/zero | restore -</c>) or left waiting: reading stops at the largest
/// file the pixel limit allows, or at once on SIGTERM, in one line, and leaves no staging folder behind; the folder of
/// a killed run is removed by the next.
/// </summary>
public class StandardInputTests
{
    static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    /// <summary>Starts <c>restore - -o out.png</c> with its own temporary folder, so what it leaves there can be seen.</summary>
    static Process Start(TempFolder folder, params string[] extra)
    {
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll"),
                                    "restore", "-", "-o", folder["out.png"], "-w", TinyWeights }.Concat(extra))
            start.ArgumentList.Add(arg);
        start.Environment["TMPDIR"] = Directory.CreateDirectory(folder["tmp"]).FullName;
        return Process.Start(start)!;
    }

    static string[] Staging(TempFolder folder) => Directory.GetDirectories(folder["tmp"], "restormer-stdio-*");

    [Fact]
    public async Task EndlessInputStopsAtTheLimitInOneLineAndLeavesNothing()
    {
        using var folder = TestPaths.NewTempFolder("stdin");
        using var process = Start(folder, "--max-pixels", "1000"); // 8 KB of pixels: reading stops past 64 MiB
        var error = process.StandardError.ReadToEndAsync();
        var zeros = new byte[1 << 20];
        long written = 0;
        try
        {
            while (!process.HasExited && written < (1L << 30))
            {
                await process.StandardInput.BaseStream.WriteAsync(zeros);
                written += zeros.Length;
            }
        }
        catch (IOException) { } // the pipe closed: the reader stopped
        Assert.True(process.WaitForExit(60_000), "did not stop");
        var messages = await error;
        Assert.Equal(2, process.ExitCode);
        Assert.Matches(@"^error: standard input holds more than 67 MB, more than any image within the pixel limit of 0\.0 MP needs [^\n]*\n$", messages);
        Assert.True(written < 200L << 20, $"{written >> 20} MiB were taken before it stopped");
        Assert.Empty(Staging(folder));
        Assert.False(File.Exists(folder["out.png"]));
    }

    [Fact]
    public async Task SigtermWhileWaitingForInputStopsAtOnceAndLeavesNothing()
    {
        using var folder = TestPaths.NewTempFolder("stdin");
        using var process = Start(folder);
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(new byte[] { 0x89, 0x50, 0x4E, 0x47 }); // a PNG's start, then nothing
        await process.StandardInput.BaseStream.FlushAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Staging(folder).Length == 0 && DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(50);
        Assert.NotEmpty(Staging(folder)); // it is reading
        var stopping = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        Assert.True(process.WaitForExit(30_000), "SIGTERM did not stop it");
        Assert.Equal(143, process.ExitCode);
        Assert.Contains("error: stopped by SIGTERM; nothing half-written was kept.", await error);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"took {stopping.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(Staging(folder));
    }

    [Fact]
    public async Task AKilledRunsStagingFolderIsRemovedByTheNext()
    {
        using var folder = TestPaths.NewTempFolder("stdin");
        var tmp = Directory.CreateDirectory(folder["tmp"]).FullName;
        var dead = Directory.CreateDirectory(Path.Combine(tmp, "restormer-stdio-999999999-abc")).FullName; // no such process
        File.WriteAllBytes(Path.Combine(dead, "stdin"), new byte[1000]);
        var live = Directory.CreateDirectory(Path.Combine(tmp, $"restormer-stdio-{Environment.ProcessId}-abc")).FullName;
        using var process = Start(folder);
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close(); // empty input
        Assert.True(process.WaitForExit(60_000));
        await error;
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live));
    }
}

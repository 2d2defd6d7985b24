using System.Runtime.InteropServices;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using Restormer.Video;

namespace Restormer.Tests.Video;

/// <summary>A real <c>restore clip.mp4</c> process stopped by SIGTERM, then SIGKILL, resumes to the file an uninterrupted run writes.</summary>
[Collection(nameof(RunsAlone))] // a CLI process and an in-process run: not beside the parallel tests
public sealed class VideoInterruptionTests : IDisposable
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
    private readonly TempFolder root = TestPaths.NewTempFolder("video-stop");

    public void Dispose() => root.Dispose();

    /// <summary>Starts the restore, waits until its work folder holds at least <paramref name="frames"/> frames, and stops it with <paramref name="signal"/> (null: SIGKILL).</summary>
    private int StopAfter(string clip, string output, int frames, PosixSignal? signal)
    {
        using var process = CliProcess.Start(null, "restore", clip, "-o", output, "-w", TinyWeights);
        var work = WorkFolder.PathFor(output);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (Kept(work) < frames)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the run never kept {frames} frames: {process.Out}{process.Err}");
            Thread.Sleep(50);
        }
        if (signal is { } s) process.Signal(s);
        else process.Kill();
        int exit = process.WaitForExit(TimeSpan.FromSeconds(60));
        if (signal is not null) Assert.Contains("run the same command again", process.Out);
        return exit;
    }

    /// <summary>Frames held by the complete chunks in <paramref name="work"/>.</summary>
    private static int Kept(string work) => !Directory.Exists(work) ? 0
        : Directory.GetFiles(work).Select(f => ChunkWriter.Parse(Path.GetFileName(f))).Sum(c => c?.Count ?? 0);

    [SkippableFact]
    public void SigtermThenSigkillKeepTheRestoredFramesAndTheRerunWritesTheSameFile()
    {
        TestClips.SkipIfMissing();
        var clip = TestClips.Shaky(root.Path, frames: 60, size: "192x128");
        var output = root["sharp.mp4"];
        Assert.Equal(143, StopAfter(clip, output, 1, PosixSignal.SIGTERM));
        int afterTerm = Kept(WorkFolder.PathFor(output));
        Assert.InRange(afterTerm, 1, 59); // the chunk in work was closed, not lost
        Assert.False(File.Exists(output));

        Assert.Equal(137, StopAfter(clip, output, afterTerm + 16, signal: null)); // a kill loses at most the chunk in work
        int afterKill = Kept(WorkFolder.PathFor(output));
        Assert.True(afterKill >= afterTerm + 16, $"{afterKill} frames kept after the kill");
        Assert.False(File.Exists(output));

        var resumed = CliRunner.Run(RestoreCommand.Create(), "-w", TinyWeights, clip, "-o", output);
        Assert.True(resumed.ExitCode == 0, resumed.Err + resumed.Out);
        Assert.Contains($"{afterKill} of them restored by an earlier run", resumed.Out);
        var whole = CliRunner.Run(RestoreCommand.Create(), "-w", TinyWeights, clip, "-o", root["whole.mp4"]);
        Assert.True(whole.ExitCode == 0, whole.Err + whole.Out);
        Assert.Equal(File.ReadAllBytes(root["whole.mp4"]), File.ReadAllBytes(output));
        Assert.Equal(["shaky.mp4", "sharp.mp4", "whole.mp4"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName).Order()); // no work folder, no stray chunk
    }
}

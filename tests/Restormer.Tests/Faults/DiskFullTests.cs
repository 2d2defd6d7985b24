using System.Diagnostics;
using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Faults;

/// <summary>
/// A full disk, on a small tmpfs mounted for the test (needs root, as in CI's container; skipped otherwise): the image
/// that does not fit fails with the system's reason, no partial file is left, and the inputs are unchanged.
/// </summary>
public class DiskFullTests
{
    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> at a new folder; null with the reason when not allowed.</summary>
    static string? Mount(TempFolder root, int kilobytes, out string? reason)
    {
        var mountPoint = Directory.CreateDirectory(root["small-disk"]).FullName;
        var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", mountPoint])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        mount.WaitForExit();
        reason = mount.ExitCode == 0 ? null : $"cannot mount a tmpfs here ({mount.StandardError.ReadToEnd().Trim()}): the full-disk test needs root";
        return reason is null ? mountPoint : null;
    }

    static void Unmount(string mountPoint) => Process.Start("umount", [mountPoint])!.WaitForExit();

    [SkippableFact]
    public void RestoreIntoAFullDiskFailsTheImageAndLeavesNoPartialFile()
    {
        using var root = TestPaths.NewTempFolder("faults-disk");
        var disk = Mount(root, 64, out var reason);
        Skip.If(disk is null, reason);
        try
        {
            var input = Directory.CreateDirectory(root["in"]).FullName;
            using (var noise = new Mat(200, 200, MatType.CV_8UC3))
            {
                Cv2.Randu(noise, Scalar.All(0), Scalar.All(255)); // noise does not compress: ~120 KB as PNG, twice the disk
                Cv2.ImWrite(Path.Combine(input, "noise.png"), noise);
            }
            var before = FaultFiles.Snapshot(input);
            var output = Path.Combine(disk!, "out");
            var result = CliRunner.Run(RestoreCommand.Create(), "--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"), "-i", input, "-o", output);
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"(?m)^FAIL \S*noise\.png: ", result.Out);
            Assert.DoesNotContain("   at ", result.Out + result.Err);
            Assert.Empty(FaultFiles.Names(output)); // no result and no hidden .partial file
            Assert.Equal(before, FaultFiles.Snapshot(input));
        }
        finally
        {
            Unmount(disk!);
        }
    }
}

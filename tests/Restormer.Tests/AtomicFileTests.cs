using System.Diagnostics;
using Restormer.IO;

namespace Restormer.Tests;

public class AtomicFileTests
{
    [Fact]
    public void FailedWriteKeepsOldContentAndLeavesNoTemporaryFile()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "out.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, (Stream s) =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData("x", 251)]   // 251 + ".png": a 255-byte name, the longest a Linux file system takes
    [InlineData("é", 125)]   // 2 bytes each in UTF-8: 254 bytes with the extension
    [InlineData("😀", 62)]   // surrogate pairs, 4 bytes each: 252 bytes; shortening must not split one
    public void ADestinationWithTheLongestNameIsWrittenAndItsTemporaryNameFits(string character, int count)
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, string.Concat(Enumerable.Repeat(character, count)) + ".png");
        string? temporary = null;
        AtomicFile.Write(path, (string temp) => { temporary = temp; File.WriteAllText(temp, "content"); });
        Assert.Equal("content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
        var name = Path.GetFileName(temporary!);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(name), 1, 255);
        Assert.EndsWith(".png", name);
        Assert.StartsWith("." + character, name);
    }

    [Fact]
    public void SuccessfulWriteReplacesContent()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "out.txt");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, (Stream s) => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void TheFirstWriteIntoAFolderRemovesStraysOfWritersThatAreGone()
    {
        var dir = TestPaths.NewTempDir();
        try
        {
            int dead;
            using (var finished = Process.Start("true")!)
            {
                finished.WaitForExit();
                dead = finished.Id;
            }
            string Stray(string name, DateTime? written = null)
            {
                var path = Path.Combine(dir, name);
                File.WriteAllText(path, "half");
                if (written is { } time) File.SetLastWriteTimeUtc(path, time);
                return path;
            }
            var killed = Stray($".a.partial-{dead}-{Guid.NewGuid():N}.png");            // its writer was killed (SIGKILL)
            var running = Stray($".b.partial-{Environment.ProcessId}-{Guid.NewGuid():N}.png"); // a writer still at work
            var recentOld = Stray($".c.partial-{Guid.NewGuid():N}.png");                 // old name, writer unknown, recent
            var ancient = Stray($".d.partial-{Guid.NewGuid():N}.png", DateTime.UtcNow.AddDays(-2));
            var user = Stray(".e.partial-notes.txt");                                   // not one of ours

            AtomicFile.Write(Path.Combine(dir, "out.txt"), (Stream s) => s.Write("new"u8));

            Assert.False(File.Exists(killed));
            Assert.False(File.Exists(ancient));
            Assert.True(File.Exists(running));
            Assert.True(File.Exists(recentOld));
            Assert.True(File.Exists(user));
            Assert.Equal("new", File.ReadAllText(Path.Combine(dir, "out.txt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

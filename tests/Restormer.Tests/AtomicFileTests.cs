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
}

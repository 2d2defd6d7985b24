using Restormer.Platform;

namespace Restormer.Tests.Platform;

/// <summary>The Windows side's answers that follow from names and .NET's file system view, which any system can check.</summary>
public class WindowsHostTests
{
    private readonly WindowsHost host = new();

    [Theory]
    [InlineData(@"\\.\pipe\restormer")]
    [InlineData("NUL")]
    [InlineData("photos/con.png")]
    [InlineData("COM1")]
    public void DevicesAreNeverFiles(string path) => Assert.Equal("a device", host.NotRegular(path));

    [Fact]
    public void FilesFoldersAndMissingPaths()
    {
        var folder = TestPaths.NewTempDir("windows-host");
        try
        {
            var file = Path.Combine(folder, "photo.png");
            File.WriteAllBytes(file, [1]);
            Assert.Null(host.NotRegular(file));
            Assert.Equal("a directory", host.NotRegular(folder));
            Assert.Equal("missing", host.NotRegular(Path.Combine(folder, "none.png")));
            File.CreateSymbolicLink(Path.Combine(folder, "dangling.png"), Path.Combine(folder, "gone.png"));
            Assert.StartsWith("a symbolic link to", host.NotRegular(Path.Combine(folder, "dangling.png")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void ListsNoOpenFilesAndKeepsItsPeak()
    {
        Assert.Null(host.OpenFiles());
        Assert.False(host.ResetPeakMemory());
        Assert.True(host.PeakResidentBytes() > 0);
    }
}

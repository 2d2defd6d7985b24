using Restormer.IO;

namespace Restormer.Tests.IO;

/// <summary>Folders and patterns with symbolic links: a link back to a parent is a cycle, searched once, never followed on.</summary>
public sealed class InputFilesTests : IDisposable
{
    private readonly string root = TestPaths.NewTempDir("restormer-inputs");

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>in/a.png, in/sub/b.png and in/sub/loop → in (a cycle).</summary>
    private string TreeWithACycle()
    {
        var input = Path.Combine(root, "in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        File.WriteAllText(Path.Combine(input, "a.png"), "");
        File.WriteAllText(Path.Combine(input, "sub", "b.png"), "");
        Directory.CreateSymbolicLink(Path.Combine(input, "sub", "loop"), "..");
        return input;
    }

    [Fact]
    public void ARecursiveFolderWithALinkToItsParentIsSearchedOnce()
    {
        var input = TreeWithACycle();
        var files = InputFiles.Expand([input], recursive: true);
        Assert.Equal(["a.png", Path.Combine("sub", "b.png")], files.Select(f => f.RelativePath));
    }

    [Fact]
    public void ADoubleStarPatternThroughALinkToAParentEnds()
    {
        var input = TreeWithACycle();
        var files = InputFiles.Expand([Path.Combine(input, "**", "*.png")], recursive: false);
        // Each real folder is searched once: b.png is found as sub/b.png, not again as sub/loop/sub/b.png and so on.
        Assert.Equal([Path.Combine(input, "a.png"), Path.Combine(input, "sub", "b.png")], files.Select(f => f.Path).Order(StringComparer.Ordinal));
    }
}

using Restormer.Imaging;
using Restormer.IO;

namespace Restormer.Tests.IO;

/// <summary>Output planning and input discovery, on empty files (nothing is decoded before the plan).</summary>
public sealed class OutputPlanTests : IDisposable
{
    private readonly string root = TestPaths.NewTempDir("restormer-plan");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
        return path;
    }

    private string Dir(string relative) => Path.Combine(root, relative);

    private static OutputPlan Plan(IReadOnlyList<string> specs, string output, ImageFormat? format = null,
                                   ExistingOutputs existing = ExistingOutputs.Refuse, bool recursive = false) =>
        OutputPlan.Create(InputFiles.Expand(specs, recursive, output), output,
                          singleFile: specs.Count == 1 && File.Exists(specs[0]), format, existing);

    [Fact]
    public void AFolderMapsToStemsWithTheFormatsExtension()
    {
        Touch("in/a.jpg");
        Touch("in/b.tif");
        var plan = Plan([Dir("in")], Dir("out"), ImageFormat.Jpeg);
        Assert.Equal([Dir("out/a.jpg"), Dir("out/b.jpg")], plan.Items.Select(i => i.Output));
        Assert.True(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ASingleInputFileMayHaveAnOutputFileWhoseExtensionPicksTheFormat()
    {
        var input = Touch("in/a.png");
        var plan = Plan([input], Dir("result.jpg"));
        Assert.Equal(Dir("result.jpg"), Assert.Single(plan.Items).Output);
        Assert.Equal(ImageFormat.Jpeg, plan.Format);
        Assert.False(Directory.Exists(Dir("result.jpg")));
        Assert.Equal(ImageFormat.WebP, Plan([input], Dir("other.jpg"), ImageFormat.WebP).Format);
    }

    [Fact]
    public void AFileNameAsOutputOfAFolderIsRefusedInsteadOfBecomingAFolder()
    {
        Touch("in/a.png");
        var error = Assert.Throws<ArgumentException>(() => Plan([Dir("in")], Dir("result.jpg")));
        Assert.Contains("give a folder", error.Message);
        Assert.False(Directory.Exists(Dir("result.jpg")));
    }

    [Fact]
    public void RecursiveInputsMirrorTheTreeAndSubFoldersNeedTheFlag()
    {
        Touch("in/top.png");
        Touch("in/trip/day1/a.png");
        Touch("in/.hidden/b.png");
        var plan = Plan([Dir("in")], Dir("out"), recursive: true);
        Assert.Equal([Dir("out/top.png"), Dir("out/trip/day1/a.png")], plan.Items.Select(i => i.Output));
        Assert.Single(Plan([Dir("in")], Dir("out2")).Items);

        Directory.CreateDirectory(Dir("only-subs/x"));
        Touch("only-subs/x/c.png");
        var error = Assert.Throws<FileNotFoundException>(() => Plan([Dir("only-subs")], Dir("out3")));
        Assert.Contains("--recursive", error.Message);
    }

    [Fact]
    public void AnOutputFolderInsideTheInputFolderIsNotSearched()
    {
        Touch("in/a.png");
        Touch("in/restored/a.png"); // the result of an earlier run
        var plan = Plan([Dir("in")], Dir("in/restored"), recursive: true, existing: ExistingOutputs.Overwrite);
        Assert.Equal(Dir("in/a.png"), Assert.Single(plan.Items).Input.Path);
    }

    [Fact]
    public void PatternsAreExpandedHereWithHiddenFilesLeftOut()
    {
        Touch("in/a.png");
        Touch("in/b.png");
        Touch("in/c.jpg");
        Touch("in/.d.png");
        Touch("in/sub/e.png");
        Assert.Equal([Dir("in/a.png"), Dir("in/b.png")], InputFiles.Expand([Dir("in/*.png")], false).Select(f => f.Path));
        Assert.Equal([Dir("in/a.png"), Dir("in/b.png"), Dir("in/sub/e.png")], InputFiles.Expand([Dir("in/**/*.png")], false).Select(f => f.Path));
        Assert.Equal(2, InputFiles.Expand([Dir("in/a.png"), Dir("in/*.png")], false).Count); // a.png once
        var error = Assert.Throws<FileNotFoundException>(() => InputFiles.Expand([Dir("in/*.gif")], false));
        Assert.Contains("matches no file", error.Message);
    }

    [Fact]
    public void TwoInputsThatWouldShareAnOutputAreRefusedNamingBoth()
    {
        // a.jpg and a.png share a stem, so they become a_jpg.png and a_png.png; an input named a_jpg.png then collides.
        Touch("in/a.jpg");
        Touch("in/a.png");
        Touch("in/a_jpg.png");
        var error = Assert.Throws<IOException>(() => Plan([Dir("in")], Dir("out")));
        Assert.Contains("a.jpg", error.Message);
        Assert.Contains("a_jpg.png", error.Message);
        Assert.Contains("nothing was done", error.Message);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void SameStemsInDifferentFoldersDoNotCollide()
    {
        var plan = Plan([Touch("x/a.png"), Touch("y/a.jpg")], Dir("out"));
        Assert.Equal([Dir("out/a_png.png"), Dir("out/a_jpg.png")], plan.Items.Select(i => i.Output));
    }

    [Fact]
    public void AnOutputThatIsAnInputIsRefused()
    {
        var input = Touch("in/x.png");
        var error = Assert.Throws<IOException>(() => Plan([Dir("in/*.png")], Dir("in"), existing: ExistingOutputs.Overwrite));
        Assert.Contains("is an input of this run", error.Message);
        error = Assert.Throws<IOException>(() => Plan([input], input, existing: ExistingOutputs.Overwrite));
        Assert.Contains("is an input of this run", error.Message);
    }

    [Fact]
    public void TheInputFolderAsOutputFolderIsRefusedSoASecondRunCannotTakeResultsForInputs()
    {
        Touch("in/x.jpg");
        Touch("in/x_restored.png");
        var error = Assert.Throws<IOException>(() => Plan([Dir("in")], Dir("in")));
        Assert.Contains("also the input folder", error.Message);

        // The same folder through a symbolic link.
        File.CreateSymbolicLink(Dir("link"), Dir("in"));
        error = Assert.Throws<IOException>(() => Plan([Dir("in")], Dir("link")));
        Assert.Contains("also the input folder", error.Message);
    }

    [Fact]
    public void ExistingOutputsAreRefusedByDefaultNamingTheFileAndBothOptions()
    {
        Touch("in/a.png");
        Touch("in/b.png");
        Touch("out/a.png");
        var error = Assert.Throws<IOException>(() => Plan([Dir("in")], Dir("out")));
        Assert.Contains(Dir("out/a.png"), error.Message);
        Assert.DoesNotContain(Dir("out/b.png"), error.Message);
        Assert.Contains("--overwrite", error.Message);
        Assert.Contains("--skip-existing", error.Message);

        Assert.All(Plan([Dir("in")], Dir("out"), existing: ExistingOutputs.Overwrite).Items, i => Assert.False(i.Skip));
        var skipping = Plan([Dir("in")], Dir("out"), existing: ExistingOutputs.Skip);
        Assert.Equal([true, false], skipping.Items.Select(i => i.Skip));
    }

    [Fact]
    public void ASelectionIsNamedAmongAllInputsButOnlyItsOwnExistingOutputsCount()
    {
        Touch("in/a.jpg");
        Touch("in/a.png");
        Touch("in/b.png");
        Touch("out/b.png"); // another shard's result
        var inputs = InputFiles.Expand([Dir("in")], false, Dir("out"));
        var plan = OutputPlan.Create(inputs, Dir("out"), singleFile: false, null, ExistingOutputs.Refuse, select: i => i.RelativePath != "b.png");
        // a.jpg and a.png share a stem among all inputs, so each keeps its extension even though b.png is left out.
        Assert.Equal([Dir("out/a_jpg.png"), Dir("out/a_png.png")], plan.Items.Select(i => i.Output));
        Assert.All(plan.Items, i => Assert.False(i.Skip));
        Assert.Throws<IOException>(() => OutputPlan.Create(inputs, Dir("out"), singleFile: false, null, ExistingOutputs.Refuse, select: i => i.RelativePath == "b.png"));
    }

    [Fact]
    public void StandardOutputTakesOneImage()
    {
        var plan = OutputPlan.Create(InputFiles.Expand([Touch("in/a.png")], false), "-", singleFile: true, null, ExistingOutputs.Refuse);
        Assert.Equal("-", Assert.Single(plan.Items).Output);
        Touch("in/b.png");
        Assert.Throws<ArgumentException>(() => OutputPlan.Create(InputFiles.Expand([Dir("in")], false), "-", singleFile: false, null, ExistingOutputs.Refuse));
    }
}

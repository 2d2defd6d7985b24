using System.CommandLine;
using OpenCvSharp;
using Restormer.Cli.Commands;

namespace Restormer.Tests.Degradations;

public class DegradationCommandTests
{
    static readonly string[] Sample = ["101085.png", "102061.png", "103070.png"];

    static string SharpFolder(params string[] extraFiles)
    {
        var dir = TestPaths.NewTempDir("restormer-degrade-in");
        foreach (var name in Sample)
            File.Copy(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", name), Path.Combine(dir, name));
        foreach (var name in extraFiles) File.WriteAllText(Path.Combine(dir, name), "not an image");
        return dir;
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(DegradeCommand.Create());
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = root.Parse(["degrade", .. args]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stdout.ToString(), stderr.ToString());
    }

    static string[] Names(string dir) => Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void WritesPairsWithMatchingNamesAndSizesAndReportsTheUnreadableFile()
    {
        var input = SharpFolder("broken.png");
        var output = Path.Combine(TestPaths.NewTempDir(), "pairs");
        var (code, stdout, stderr) = Run("--input", input, "--output", output, "--kind", "mixed", "--seed", "3", "--count-per-image", "2", "--save-kernels");

        Assert.Equal(1, code); // pairs were written, but one file could not be used
        Assert.Contains("broken.png", stderr);
        Assert.Contains("error: 1 file(s)", stderr);
        Assert.Equal(3, stdout.Split('\n').Count(l => l.StartsWith('['))); // a progress line per image
        string[] expected = [.. Sample.SelectMany(n => new[] { n.Replace(".png", "_0.png"), n.Replace(".png", "_1.png") }).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, Names(Path.Combine(output, "input")));
        Assert.Equal(expected, Names(Path.Combine(output, "target")));
        Assert.Equal(expected, Names(Path.Combine(output, "kernels")));
        foreach (var name in expected)
        {
            using var source = Cv2.ImRead(Path.Combine(input, name[..^6] + ".png"), ImreadModes.Unchanged);
            using var target = Cv2.ImRead(Path.Combine(output, "target", name), ImreadModes.Unchanged);
            using var degraded = Cv2.ImRead(Path.Combine(output, "input", name), ImreadModes.Unchanged);
            Assert.Equal(source.Size(), degraded.Size());
            Assert.Equal(source.Type(), degraded.Type());
            Assert.Equal(0, Cv2.Norm(source, target, NormTypes.INF)); // the target is the sharp image, losslessly
            Assert.True(Cv2.Norm(source, degraded, NormTypes.L1) / source.Total() > 1, $"{name} is barely degraded");
        }
    }

    [Fact]
    public void AnOptionsFileDescribesThePipeline()
    {
        var options = Path.Combine(TestPaths.NewTempDir(), "blur.yml");
        File.WriteAllText(options, "preset: motion_blur_with_mild_noise\nkernel_size: [7, 9]\n");
        var output = Path.Combine(TestPaths.NewTempDir(), "pairs");
        var (code, _, stderr) = Run("--input", SharpFolder(), "--output", output, "--options", options, "--save-kernels");
        Assert.True(code == 0, stderr);
        foreach (var kernel in Directory.GetFiles(Path.Combine(output, "kernels")))
        {
            using var image = Cv2.ImRead(kernel, ImreadModes.Unchanged);
            Assert.InRange(image.Width, 7, 9);
        }

        File.WriteAllText(options, "kernel_size: [7, 8]\n");
        var (badCode, _, badErr) = Run("--input", SharpFolder(), "--output", output, "--options", options);
        Assert.Equal(2, badCode);
        Assert.Contains("kernel_size", badErr);
    }

    [Fact]
    public void SameSeedReproducesTheOutputsAndKeeps16BitDepth()
    {
        var input = TestPaths.NewTempDir("restormer-degrade-in");
        using (var eight = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", Sample[0]), ImreadModes.Unchanged))
        using (var sixteen = new Mat())
        {
            eight.ConvertTo(sixteen, MatType.CV_16UC3, 257);
            Cv2.ImWrite(Path.Combine(input, "deep.png"), sixteen);
        }
        var first = Path.Combine(TestPaths.NewTempDir(), "a");
        var second = Path.Combine(TestPaths.NewTempDir(), "b");
        Assert.Equal(0, Run("-i", input, "-o", first, "--kind", "motion", "--seed", "5").Code);
        Assert.Equal(0, Run("-i", input, "-o", second, "--kind", "motion", "--seed", "5").Code);
        using var a = Cv2.ImRead(Path.Combine(first, "input", "deep.png"), ImreadModes.Unchanged);
        using var b = Cv2.ImRead(Path.Combine(second, "input", "deep.png"), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC3, a.Type());
        Assert.Equal(0, Cv2.Norm(a, b, NormTypes.INF));
    }

    [Fact]
    public void EmptyOrMissingInputAndOutputOverInputAreRefused()
    {
        var empty = TestPaths.NewTempDir("restormer-degrade-empty");
        var (code, _, stderr) = Run("-i", empty, "-o", Path.Combine(empty, "out"));
        Assert.Equal(2, code);
        Assert.Contains("error: The input folder", stderr);
        Assert.Contains("has no images", stderr);

        var missing = Path.Combine(empty, "nowhere");
        (code, _, stderr) = Run("-i", missing, "-o", Path.Combine(empty, "out"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);

        var input = SharpFolder();
        (code, _, stderr) = Run("-i", input, "-o", input + "/");
        Assert.Equal(2, code);
        Assert.Contains("would write into the input folder", stderr);
        Assert.Equal(Sample.Order(StringComparer.Ordinal), Names(input)); // nothing was written there
    }

    [Fact]
    public void UnknownKindIsRefused()
    {
        var (code, _, stderr) = Run("-i", SharpFolder(), "-o", TestPaths.NewTempDir(), "--kind", "wobble");
        Assert.Equal(2, code);
        Assert.Contains("error: Unknown degradation kind 'wobble'", stderr);
    }
}

using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Imaging;
using Restormer.Inference;

namespace Restormer.Tests.Cli;

public class RestoreCommandTests
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    /// <summary>Two small photos with sides that are not multiples of 8, so padding and cropping are exercised.</summary>
    private static string SmallPhotos()
    {
        var dir = TestPaths.NewTempDir("restore-in");
        foreach (var (name, size) in new[] { ("101087", new Size(45, 37)), ("102061", new Size(64, 40)) })
        {
            using var photo = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", name + ".png"));
            using var small = photo.Resize(size, interpolation: InterpolationFlags.Area);
            Cv2.ImWrite(Path.Combine(dir, name + ".png"), small);
        }
        return dir;
    }

    [Fact]
    public void RestoresAFolderWithTheReferenceSpellings()
    {
        var input = SmallPhotos();
        var output = Path.Combine(TestPaths.NewTempDir(), "results");
        var result = CliRunner.Run(RestoreCommand.Create(), "--task", "Motion_Deblurring", "--weights", TinyWeights, "--input_dir", input, "--result_dir", output);
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        foreach (var file in Directory.GetFiles(input))
        {
            using var original = Cv2.ImRead(file);
            using var restored = Cv2.ImRead(Path.Combine(output, Path.GetFileName(file)));
            Assert.Equal(original.Size(), restored.Size());
        }
        Assert.Contains("2 of 2 image(s) restored", result.Out);
    }

    [Fact]
    public void OutputIsTheNetworkOnThePaddedImageCroppedAndRounded()
    {
        var input = SmallPhotos();
        var output = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", input, "-o", output).ExitCode);

        // Independently: reflect-pad to ×8, run the model, crop, clamp, round — the reference demo's steps.
        using var model = Restormer.Model.RestormerNet.FromCheckpoint(TinyWeights);
        model.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        var file = Path.Combine(input, "101087.png");
        using var image = ImageFile.Read(file);
        using var x = ImageTensor.ToTensor(image.Pixels);
        using var padded = TorchSharp.torch.nn.functional.pad(x, [0, 3, 0, 3], TorchSharp.PaddingModes.Reflect);
        using var y = model.call(padded)[.., .., ..37, ..45];
        using var expected = ImageTensor.ToMat(y, 8);
        using var actual = Cv2.ImRead(Path.Combine(output, "101087.png"));
        Assert.Equal(0, Cv2.Norm(expected, actual, NormTypes.INF));
    }

    [Fact]
    public void AGrayPhotoStaysGrayInItsOwnLayout()
    {
        var input = TestPaths.NewTempDir("restore-gray");
        using (var photo = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png")))
        using (var small = photo.Resize(new Size(45, 37), interpolation: InterpolationFlags.Area))
        using (var gray = small.CvtColor(ColorConversionCodes.BGR2GRAY))
        using (var grayAsRgb = gray.CvtColor(ColorConversionCodes.GRAY2BGR))
        {
            Cv2.ImWrite(Path.Combine(input, "gray.png"), gray);
            Cv2.ImWrite(Path.Combine(input, "rgb.png"), grayAsRgb);
        }
        var output = TestPaths.NewTempDir();
        Assert.Equal(0, CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", input, "-o", output).ExitCode);

        // The network's own three outputs on these pixels differ (the tint this guards against); the result is their luma.
        using var restorer = Restorer.Load(TinyWeights);
        using var pixels = Cv2.ImRead(Path.Combine(input, "rgb.png"));
        using var x = ImageTensor.ToTensor(pixels);
        using var y = restorer.Restore(x);
        using var colour = ImageTensor.ToMat(y, 8);
        var planes = colour.Split();
        Assert.True(Cv2.Norm(planes[0], planes[2], NormTypes.INF) > 0);
        using var luma = colour.CvtColor(ColorConversionCodes.BGR2GRAY);

        using var fromGray = Cv2.ImRead(Path.Combine(output, "gray.png"), ImreadModes.Unchanged);
        Assert.Equal(1, fromGray.Channels());
        Assert.Equal(0, Cv2.Norm(luma, fromGray, NormTypes.INF));
        using var fromRgb = Cv2.ImRead(Path.Combine(output, "rgb.png"), ImreadModes.Unchanged);
        Assert.Equal(3, fromRgb.Channels());
        foreach (var plane in fromRgb.Split())
            Assert.Equal(0, Cv2.Norm(luma, plane, NormTypes.INF));
        foreach (var plane in planes) plane.Dispose();
    }

    [Fact]
    public void BadFilesAreReportedAndSkippedAndTheRestStillRestored()
    {
        var input = SmallPhotos();
        File.WriteAllBytes(Path.Combine(input, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 0, 1, 2]);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not an image");
        var output = TestPaths.NewTempDir();
        var result = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", input, "-o", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.png", result.Out);
        Assert.Contains("notes.txt", result.Out);
        Assert.Equal(2, Directory.GetFiles(output, "*.png").Length);
        Assert.Empty(Directory.GetFiles(output, ".*"));
    }

    [Fact]
    public void NeverOverwritesAnInput()
    {
        var input = SmallPhotos();
        var before = Directory.GetFiles(input).ToDictionary(f => f, File.ReadAllBytes);
        var result = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", input, "-o", input);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("also the input folder", result.Err);
        result = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, Path.Combine(input, "*.png"), "-o", input, "--overwrite");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is an input of this run", result.Err);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(input).Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));
    }

    [Fact]
    public void FailsBeforeAnyWorkOnAnEmptyFolder()
    {
        var result = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", TestPaths.NewTempDir(), "-o", TestPaths.NewTempDir());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("has no files", result.Err);
    }

    [Fact]
    public void AWrongCheckpointIsAClearError()
    {
        var notWeights = Path.Combine(TestPaths.NewTempDir(), "weights.pth");
        File.Copy(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png"), notWeights);
        var output = TestPaths.NewTempDir();
        var result = CliRunner.Run(RestoreCommand.Create(), "--weights", notWeights, "-i", SmallPhotos(), "-o", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(notWeights, result.Err);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public void AnUnwritableOutputFolderIsAClearError()
    {
        var blocker = Path.Combine(TestPaths.NewTempDir(), "file");
        File.WriteAllText(blocker, "");
        foreach (var output in new[] { blocker, Path.Combine(blocker, "out") })
        {
            var result = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", SmallPhotos(), "-o", output);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"Cannot write to output folder '{output}': '{blocker}' is a file, not a folder.", result.Err);
        }
    }

    [Fact]
    public void MissingTaskWeightsNameTheFileAndFolder()
    {
        var result = CliRunner.Run(RestoreCommand.Create(), "--task", "deraining", "-i", SmallPhotos(), "-o", TestPaths.NewTempDir());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("deraining.pth", result.Err);
        Assert.Contains(ModelStore.Default.Directory, result.Err);
    }
}

public class TestCommandTests
{
    [Fact]
    public void RestoresATestSetAndScoresItAgainstTarget()
    {
        // A test set in the reference layout: input/ and target/ with the same names.
        var root = TestPaths.NewTempDir("testset");
        foreach (var sub in new[] { "input", "target" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
            using var photo = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png"));
            using var small = photo.Resize(new Size(48, 40), interpolation: InterpolationFlags.Area);
            Cv2.ImWrite(Path.Combine(root, sub, "a.png"), small);
        }
        var output = TestPaths.NewTempDir();
        var result = CliRunner.Run(TestCommand.Create(), "--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"), "--input-dir", root, "--output-dir", output);
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.True(File.Exists(Path.Combine(output, "a.png")));
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        Assert.True(report.RootElement.GetProperty("mean").GetProperty("psnr").GetDouble() > 0);
    }
}

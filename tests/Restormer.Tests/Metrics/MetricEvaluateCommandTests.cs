using System.CommandLine;
using System.Text.Json;
using OpenCvSharp;
using Restormer.Cli.Commands;

namespace Restormer.Tests.Metrics;

/// <summary>The <c>evaluate</c> command run in-process on copies of the metric fixtures.</summary>
public class MetricEvaluateCommandTests
{
    sealed record Result(int ExitCode, string Output, string Error);

    static Result Run(params string[] args)
    {
        var result = Cli.CliRunner.Run(EvaluateCommand.Create(), args);
        return new Result(result.ExitCode, result.Out, result.Err);
    }

    /// <summary>Restored and reference folders holding fixture pairs 0..3 as <c>img{N}</c>, references saved as BMP.</summary>
    static (string Restored, string Reference, string Root) FixtureFolders()
    {
        var root = TestPaths.NewTempDir();
        string restored = Path.Combine(root, "restored"), reference = Path.Combine(root, "reference");
        Directory.CreateDirectory(restored);
        Directory.CreateDirectory(reference);
        for (var n = 0; n < 4; n++)
        {
            File.Copy(Path.Combine(TestPaths.Metrics, $"test_{n}.png"), Path.Combine(restored, $"img{n}.png"));
            using var image = Cv2.ImRead(Path.Combine(TestPaths.Metrics, $"ref_{n}.png"), ImreadModes.Color);
            Cv2.ImWrite(Path.Combine(reference, $"img{n}.bmp"), image);
        }
        return (restored, reference, root);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(4, true)]
    public void JsonAndCsvHoldTheReferenceValues(int crop, bool yChannel)
    {
        var (restored, reference, root) = FixtureFolders();
        string json = Path.Combine(root, "scores.json"), csv = Path.Combine(root, "scores.csv");
        string[] args = ["--restored", restored, "--reference", reference, "--json", json, "--csv", csv, "--crop", crop.ToString()];
        var result = Run(yChannel ? [.. args, "--y"] : args);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var space = yChannel ? "y" : "rgb";
        var images = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("images");
        var csvRows = File.ReadAllLines(csv);
        Assert.Equal("name,psnr,ssim,ssim_3d,error", csvRows[0]);
        double psnrSum = 0;
        for (var n = 0; n < 4; n++)
        {
            var expected = MetricFixtureTests.Expected(n);
            var image = images[n];
            Assert.Equal($"img{n}", image.GetProperty("name").GetString());
            var psnr = expected.GetProperty($"psnr_crop{crop}_{space}").GetDouble();
            Assert.Equal(psnr, image.GetProperty("psnr").GetDouble(), 1e-4);
            Assert.Equal(expected.GetProperty($"ssim_crop{crop}_{space}").GetDouble(), image.GetProperty("ssim_3d").GetDouble(), 1e-5);
            if (crop == 0 && !yChannel)
                Assert.Equal(expected.GetProperty("ssim_skimage_rgb_gaussian").GetDouble(), image.GetProperty("ssim").GetDouble(), 1e-5);
            var cells = csvRows[n + 1].Split(',');
            Assert.Equal($"img{n}", cells[0]);
            Assert.Equal(psnr, double.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture), 1e-4);
            Assert.Contains($"img{n} ", result.Output);
            psnrSum += psnr;
        }
        var mean = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("mean");
        Assert.Equal(psnrSum / 4, mean.GetProperty("psnr").GetDouble(), 1e-4);
        Assert.Contains("mean ", result.Output);
        Assert.Empty(Directory.GetFiles(root, ".*"));
    }

    [Fact]
    public void StemsOnOneSideAreWarnedAboutAndSkipped()
    {
        var (restored, reference, root) = FixtureFolders();
        File.Move(Path.Combine(restored, "img3.png"), Path.Combine(restored, "extra.png"));
        var json = Path.Combine(root, "scores.json");
        var result = Run("--restored", restored, "--reference", reference, "--json", json);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning: 'extra' is in --restored", result.Error);
        Assert.Contains("warning: 'img3' is in --reference", result.Error);
        Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public void NoMatchingStemIsAnError()
    {
        var (restored, _, root) = FixtureFolders();
        var other = Path.Combine(root, "other");
        Directory.CreateDirectory(other);
        File.Copy(Path.Combine(TestPaths.Metrics, "ref_0.png"), Path.Combine(other, "unrelated.png"));
        var result = Run("--restored", restored, "--reference", other);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: No image in", result.Error);
    }

    [Fact]
    public void SizeMismatchIsReportedForThatImageAndFailsTheRun()
    {
        var (restored, reference, root) = FixtureFolders();
        using (var image = Cv2.ImRead(Path.Combine(TestPaths.Metrics, "test_1.png")))
        using (var smaller = image.Resize(new Size(100, 80)))
            Cv2.ImWrite(Path.Combine(restored, "img1.png"), smaller);
        var json = Path.Combine(root, "scores.json");
        var result = Run("--restored", restored, "--reference", reference, "--json", json);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: img1: Image sizes differ: restored 80×100×3, reference 200×232×3", result.Error);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Contains("sizes differ", report.GetProperty("images")[1].GetProperty("error").GetString());
        var expectedMean = new[] { 0, 2, 3 }.Average(n => MetricFixtureTests.Expected(n).GetProperty("psnr_crop0_rgb").GetDouble());
        Assert.Equal(expectedMean, report.GetProperty("mean").GetProperty("psnr").GetDouble(), 1e-4);
    }

    [Fact]
    public void MissingFolderAndAmbiguousNamesAreErrors()
    {
        var (restored, reference, _) = FixtureFolders();
        var missing = Run("--restored", restored + "-missing", "--reference", reference);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"error: The restored folder '{restored}-missing' does not exist.", missing.Error);

        File.Copy(Path.Combine(restored, "img0.png"), Path.Combine(restored, "img0.jpg"));
        var ambiguous = Run("--restored", restored, "--reference", reference);
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("several images named 'img0' (img0.jpg, img0.png)", ambiguous.Error);
    }

    [Fact]
    public void IdenticalImagesGiveInfinityAsTextInJsonAndCsv()
    {
        var (_, reference, root) = FixtureFolders();
        string json = Path.Combine(root, "scores.json"), csv = Path.Combine(root, "scores.csv");
        var result = Run("--restored", reference, "--reference", reference, "--json", json, "--csv", csv);

        Assert.Equal(0, result.ExitCode);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal("Infinity", report.GetProperty("images")[0].GetProperty("psnr").GetString());
        Assert.Equal("Infinity", report.GetProperty("mean").GetProperty("psnr").GetString());
        Assert.Equal(1.0, report.GetProperty("mean").GetProperty("ssim_3d").GetDouble());
        Assert.Equal("img0,Infinity,1,1,", File.ReadAllLines(csv)[1]);
    }

    [Fact]
    public void NegativeCropIsRejected()
    {
        var (restored, reference, _) = FixtureFolders();
        var result = Run("--restored", restored, "--reference", reference, "--crop", "-2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --crop must be from 0 to 4096; got -2.", result.Error);
    }
}

using System.Text.Json;
using NetVips;
using Restormer.Cli.Commands;
using Restormer.Imaging;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Imaging;

/// <summary>Files holding several images (multi-page TIFF, animated GIF and WebP): the first is restored, and the run says so.</summary>
public class MultiPageTests
{
    [Theory]
    [InlineData(".tif")]
    [InlineData(".gif")]
    [InlineData(".webp")]
    public void OnlyTheFirstPageIsRestoredAndTheRunSaysSo(string extension)
    {
        using var folder = TestPaths.NewTempFolder("restormer-test-pages");
        var input = folder["pages" + extension];
        using (var first = (Image.Black(32, 24, bands: 3) + new double[] { 200, 40, 40 }).Cast(Enums.BandFormat.Uchar))
        using (var second = (Image.Black(32, 24, bands: 3) + new double[] { 40, 40, 200 }).Cast(Enums.BandFormat.Uchar))
        using (var third = (Image.Black(32, 24, bands: 3) + 128).Cast(Enums.BandFormat.Uchar))
        using (var strip = Image.Arrayjoin([first, second, third], across: 1))
        using (var pages = strip.Mutate(image => image.Set(GValue.GIntType, "page-height", 24)))
            pages.WriteToFile(input);
        Assert.Equal(3, ImagePages.Count(input));

        var result = CliRunner.Run(RestoreCommand.Create(), "--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"), "-i", input, "-o", folder["out"], "--json");
        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Contains($"note: it holds 3 pages or frames; only the first was restored", result.Err);
        var record = JsonDocument.Parse(result.Out.Trim()).RootElement;
        Assert.Equal("ok", record.GetProperty("status").GetString());
        Assert.Contains("only the first was restored", record.GetProperty("note").GetString());
        // The first page is what was restored: its colour, red (BGR order in OpenCV), not the other pages' blue or gray.
        using var restored = OpenCvSharp.Cv2.ImRead(Path.Combine(folder["out"], "pages.png"));
        Assert.Equal((32, 24), (restored.Width, restored.Height));
        var mean = OpenCvSharp.Cv2.Mean(restored);
        Assert.True(mean.Val2 > mean.Val0 + 60, $"mean BGR {mean.Val0:F0},{mean.Val1:F0},{mean.Val2:F0}");

        File.Copy(Path.Combine(TestPaths.RepoRoot, "tests", "Restormer.Tests", "Fuzz", "Corpus", "image", "html-page.img"), folder["single.png"], overwrite: true);
        Assert.Equal(1, ImagePages.Count(folder["single.png"]));
    }
}

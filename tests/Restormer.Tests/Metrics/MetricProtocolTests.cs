using System.CommandLine;
using System.Text.Json;
using Restormer.Cli.Commands;
using Restormer.Metrics;
using Xunit.Abstractions;

namespace Restormer.Tests.Metrics;

/// <summary>The paper protocols of <c>evaluate --protocol</c> against the reference's values.</summary>
public class MetricProtocolTests(ITestOutputHelper output)
{
    static string RealBlur => Path.Combine(TestPaths.Metrics, "realblur");

    static JsonElement RealBlurExpected(int n) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RealBlur, "expected.json"))).RootElement.GetProperty(n.ToString());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RealBlurMatchesTheReferenceAfterAlignment(int n)
    {
        var restored = MetricImage.Read(Path.Combine(RealBlur, $"restored_{n}.png"));
        var target = MetricImage.Read(Path.Combine(RealBlur, $"target_{n}.png"));
        var expected = RealBlurExpected(n);
        var scores = RealBlurScores.Measure(restored, target);
        double psnr = expected.GetProperty("psnr_realblur").GetDouble(), ssim = expected.GetProperty("ssim_realblur").GetDouble();
        output.WriteLine($"pair {n}: PSNR {scores.Psnr:F4} (reference {psnr:F4}, difference {scores.Psnr - psnr:E1}), SSIM {scores.Ssim:F5} (reference {ssim:F5}, difference {scores.Ssim - ssim:E1})");
        Assert.Equal(psnr, scores.Psnr, 0.05);
        Assert.Equal(ssim, scores.Ssim, 0.002);
        Assert.Null(scores.Ssim3D);
        // Without alignment the pair scores far lower: the alignment is what the protocol adds.
        Assert.Equal(expected.GetProperty("psnr_unaligned").GetDouble(), Psnr.Compute(restored, target), 1e-4);
    }

    static (int ExitCode, string Output, string Error) Evaluate(params string[] args)
    {
        StringWriter output = new(), error = new();
        var exitCode = EvaluateCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>evaluate</c> on copies of fixture pairs named img{N} and returns the JSON report.</summary>
    static JsonElement Report(string protocol, string folder, string restoredName, string referenceName, int count, params string[] extra)
    {
        var root = TestPaths.NewTempDir();
        try
        {
            string restored = Path.Combine(root, "restored"), reference = Path.Combine(root, "reference"), json = Path.Combine(root, "scores.json");
            Directory.CreateDirectory(restored);
            Directory.CreateDirectory(reference);
            for (var n = 0; n < count; n++)
            {
                File.Copy(Path.Combine(folder, string.Format(restoredName, n)), Path.Combine(restored, $"img{n}.png"));
                File.Copy(Path.Combine(folder, string.Format(referenceName, n)), Path.Combine(reference, $"img{n}.png"));
            }
            var result = Evaluate(["--restored", restored, "--reference", reference, "--json", json, "--protocol", protocol, .. extra]);
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.DoesNotContain("SSIM-3D", result.Output);
            return JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ProtocolRealBlurReportsTheAlignedScoresAndTheirMean()
    {
        var report = Report("realblur", RealBlur, "restored_{0}.png", "target_{0}.png", 5);
        Assert.Equal("realblur", report.GetProperty("protocol").GetString());
        var images = report.GetProperty("images");
        for (var n = 0; n < 5; n++)
        {
            Assert.Equal(RealBlurExpected(n).GetProperty("psnr_realblur").GetDouble(), images[n].GetProperty("psnr").GetDouble(), 0.05);
            Assert.False(images[n].TryGetProperty("ssim_3d", out _));
        }
        var meanPsnr = Enumerable.Range(0, 5).Average(n => RealBlurExpected(n).GetProperty("psnr_realblur").GetDouble());
        var meanSsim = Enumerable.Range(0, 5).Average(n => RealBlurExpected(n).GetProperty("ssim_realblur").GetDouble());
        Assert.Equal(meanPsnr, report.GetProperty("mean").GetProperty("psnr").GetDouble(), 0.05);
        Assert.Equal(meanSsim, report.GetProperty("mean").GetProperty("ssim").GetDouble(), 0.002);
    }

    [Theory]
    [InlineData("gopro", "rgb")]
    [InlineData("hide", "rgb")]
    [InlineData("deraining", "y")]
    public void GoProAndDerainingGiveTheReferencePsnrAndSsim(string protocol, string space)
    {
        var images = Report(protocol, TestPaths.Metrics, "test_{0}.png", "ref_{0}.png", 4).GetProperty("images");
        for (var n = 0; n < 4; n++)
        {
            var expected = MetricFixtureTests.Expected(n);
            Assert.Equal(expected.GetProperty($"psnr_crop0_{space}").GetDouble(), images[n].GetProperty("psnr").GetDouble(), 1e-4);
            Assert.Equal(expected.GetProperty($"ssim_crop0_{space}").GetDouble(), images[n].GetProperty("ssim").GetDouble(), 1e-5);
        }
    }

    [Fact]
    public void NamedProtocolsRefuseCropAndYAndUnknownNamesAreErrors()
    {
        var metrics = TestPaths.Metrics;
        var crop = Evaluate("--restored", metrics, "--reference", metrics, "--protocol", "realblur", "--crop", "4");
        Assert.Equal(2, crop.ExitCode);
        Assert.Contains("error: --protocol realblur fixes its own crop and colour space; drop --crop and --y.", crop.Error);
        var unknown = Evaluate("--restored", metrics, "--reference", metrics, "--protocol", "sidd");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("sidd", unknown.Error);
    }
}

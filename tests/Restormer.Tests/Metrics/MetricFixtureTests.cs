using System.Text.Json;
using Restormer.Metrics;

namespace Restormer.Tests.Metrics;

/// <summary>
/// Reproduces <c>fixtures/metrics/expected.json</c>: values the reference basicsr metric functions and scikit-image
/// gave for the fixture pairs read by OpenCV (see <c>../shared/README.md</c>).
/// </summary>
public class MetricFixtureTests
{
    const double PsnrTolerance = 1e-4, SsimTolerance = 1e-5;

    public static TheoryData<int> Pairs => new() { 0, 1, 2, 3 };

    internal static JsonElement Expected(int pair) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Metrics, "expected.json"))).RootElement.GetProperty("pairs")[pair];

    static (MetricImage Test, MetricImage Reference, JsonElement Expected) Load(int pair)
    {
        var expected = Expected(pair);
        return (MetricImage.Read(Path.Combine(TestPaths.Metrics, expected.GetProperty("test").GetString()!)),
                MetricImage.Read(Path.Combine(TestPaths.Metrics, expected.GetProperty("ref").GetString()!)),
                expected);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void PsnrMatchesReference(int pair)
    {
        var (test, reference, expected) = Load(pair);
        foreach (var crop in new[] { 0, 4 })
        {
            Assert.Equal(expected.GetProperty($"psnr_crop{crop}_rgb").GetDouble(), Psnr.Compute(test, reference, crop), PsnrTolerance);
            Assert.Equal(expected.GetProperty($"psnr_crop{crop}_y").GetDouble(), Psnr.Compute(test, reference, crop, yChannel: true), PsnrTolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Ssim3DMatchesReferenceOnRgbAndY(int pair)
    {
        var (test, reference, expected) = Load(pair);
        foreach (var crop in new[] { 0, 4 })
        {
            Assert.Equal(expected.GetProperty($"ssim_crop{crop}_rgb").GetDouble(), Ssim.Compute3D(test, reference, crop), SsimTolerance);
            Assert.Equal(expected.GetProperty($"ssim_crop{crop}_y").GetDouble(), Ssim.Compute3D(test, reference, crop, yChannel: true), SsimTolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void PerChannelSsimMatchesScikitImage(int pair)
    {
        var (test, reference, expected) = Load(pair);
        Assert.Equal(expected.GetProperty("ssim_skimage_rgb_gaussian").GetDouble(), Ssim.Compute(test, reference), SsimTolerance);
    }
}

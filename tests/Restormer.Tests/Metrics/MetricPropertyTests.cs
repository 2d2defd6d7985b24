using OpenCvSharp;
using Restormer.Metrics;

namespace Restormer.Tests.Metrics;

/// <summary>Properties of PSNR and SSIM that follow from their definitions, checked against closed forms.</summary>
public class MetricPropertyTests
{
    static MetricImage Fixture(string name) => MetricImage.Read(Path.Combine(TestPaths.Metrics, name));

    static MetricImage Random(int height, int width, int channels, int seed, double max = 255)
    {
        var random = new Random(seed);
        var pixels = new double[height * width * channels];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = Math.Round(random.NextDouble() * max);
        return new MetricImage(height, width, channels, pixels);
    }

    static MetricImage Constant(int height, int width, int channels, double value) =>
        new(height, width, channels, Enumerable.Repeat(value, height * width * channels).ToArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdenticalImagesGiveInfinitePsnrAndSsimOne(bool yChannel)
    {
        var image = Fixture("ref_1.png");
        Assert.Equal(double.PositiveInfinity, Psnr.Compute(image, image, 4, yChannel));
        Assert.Equal(1.0, Ssim.Compute(image, image, 4, yChannel), 1e-12);
        Assert.Equal(1.0, Ssim.Compute3D(image, image, 4, yChannel), 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MetricsAreSymmetric(bool yChannel)
    {
        MetricImage a = Fixture("ref_2.png"), b = Fixture("test_2.png");
        Assert.Equal(Psnr.Compute(a, b, 0, yChannel), Psnr.Compute(b, a, 0, yChannel));
        Assert.Equal(Ssim.Compute(a, b, 0, yChannel), Ssim.Compute(b, a, 0, yChannel), 1e-14);
        Assert.Equal(Ssim.Compute3D(a, b, 0, yChannel), Ssim.Compute3D(b, a, 0, yChannel), 1e-14);
    }

    [Fact]
    public void ConstantOffsetGivesPsnrOfItsSquare()
    {
        var image = Random(40, 50, 3, seed: 1, max: 240);
        var brighter = new MetricImage(40, 50, 3, image.Pixels.Select(v => v + 12).ToArray());
        Assert.Equal(20 * Math.Log10(255.0 / 12), Psnr.Compute(brighter, image), 1e-10);
        Assert.Equal(20 * Math.Log10(255.0 / 12), Psnr.Compute(brighter, image, cropBorder: 7), 1e-10);
        // Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, so the same offset on every channel moves Y by 12 · 219 / 255.
        Assert.Equal(20 * Math.Log10(255.0 / (12 * 219.0 / 255)), Psnr.Compute(brighter, image, yChannel: true), 1e-4);
    }

    [Fact]
    public void UnitRangePsnrUsesPeakOne()
    {
        var target = Enumerable.Range(0, 300).Select(i => i / 400f).ToArray();
        var restored = target.Select(v => v + 0.1f).ToArray();
        Assert.Equal(20.0, Psnr.UnitRange(restored, target), 1e-4);
        Assert.Equal(double.PositiveInfinity, Psnr.UnitRange(target, target));
        var error = Assert.Throws<ArgumentException>(() => Psnr.UnitRange(restored, target.AsSpan(1)));
        Assert.Contains("300", error.Message);
    }

    [Fact]
    public void SsimOfFlatImagesIsTheLuminanceTerm()
    {
        // With no variance SSIM reduces to (2 μx μy + C1) / (μx² + μy² + C1), C1 = (0.01 · 255)²; small means make C1 matter.
        const double c1 = 2.55 * 2.55;
        var expected = (2 * 2.0 * 5.0 + c1) / (2.0 * 2.0 + 5.0 * 5.0 + c1);
        MetricImage a = Constant(20, 30, 3, 2), b = Constant(20, 30, 3, 5);
        Assert.Equal(expected, Ssim.Compute(a, b), 1e-12);
        Assert.Equal(expected, Ssim.Compute3D(a, b), 1e-6);
        Assert.Equal(expected, Ssim.Compute3D(Constant(20, 30, 1, 2), Constant(20, 30, 1, 5), yChannel: true), 1e-12);
    }

    [Fact]
    public void YChannelFollowsBt601OnBgrInput()
    {
        // Pixels in OpenCV's BGR order: white, black, red, green, blue.
        var image = new MetricImage(1, 5, 3, [255, 255, 255, 0, 0, 0, 0, 0, 255, 0, 255, 0, 255, 0, 0]);
        var y = image.ToYChannel();
        Assert.Equal(1, y.Channels);
        double[] expected = [235, 16, 16 + 65.481, 16 + 128.553, 16 + 24.966];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.Pixels[i], 1e-4);
    }

    [Fact]
    public void CropBorderDropsEdgesAndRejectsCropsThatLeaveNothing()
    {
        var image = new MetricImage(3, 4, 1, Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        var cropped = image.CropBorder(1);
        Assert.Equal((1, 2), (cropped.Height, cropped.Width));
        Assert.Equal([5.0, 6.0], cropped.Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.CropBorder(2));
    }

    [Fact]
    public void DifferentSizesAreRejectedWithBothSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => Psnr.Compute(Random(2, 2, 3, 1), Random(2, 3, 3, 2)));
        Assert.Contains("2×2×3", error.Message);
        Assert.Contains("2×3×3", error.Message);
        Assert.Throws<ArgumentException>(() => Ssim.Compute3D(Random(12, 12, 3, 1), Random(12, 12, 1, 2)));
    }

    [Fact]
    public void PerChannelSsimNeedsAWholeWindowButTheReferenceSsimDoesNot()
    {
        MetricImage a = Random(10, 30, 3, 1), b = Random(10, 30, 3, 2);
        Assert.Contains("11×11", Assert.Throws<ArgumentException>(() => Ssim.Compute(a, b)).Message);
        Assert.InRange(Ssim.Compute3D(a, b), -1, 1);
    }

    [Fact]
    public void SixteenBitImagesAreReadAtFullDepthOnTheEightBitScale()
    {
        var source = Path.Combine(TestPaths.Metrics, "ref_0.png");
        var wide = Path.Combine(TestPaths.NewTempDir(), "ref_0_16bit.png");
        using (var eight = Cv2.ImRead(source, ImreadModes.Color))
        using (var sixteen = new Mat())
        {
            eight.ConvertTo(sixteen, MatType.CV_16UC3, 257); // 255 · 257 = 65535
            Cv2.ImWrite(wide, sixteen);
        }
        MetricImage narrowImage = MetricImage.Read(source), wideImage = MetricImage.Read(wide);
        Assert.Equal(narrowImage.ToString(), wideImage.ToString());
        for (var i = 0; i < narrowImage.Pixels.Length; i++) Assert.Equal(narrowImage.Pixels[i], wideImage.Pixels[i], 1e-9);
    }

    [Fact]
    public void UnreadableFilesNameTheFile()
    {
        var bad = Path.Combine(TestPaths.NewTempDir(), "broken.png");
        File.WriteAllText(bad, "not a png");
        Assert.Contains(bad, Assert.Throws<Restormer.Imaging.ImageReadException>(() => MetricImage.Read(bad)).Message);
        Assert.Contains("no such file", Assert.Throws<Restormer.Imaging.ImageReadException>(() => MetricImage.Read(bad + ".missing.png")).Message);
    }
}

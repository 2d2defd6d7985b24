using OpenCvSharp;
using Restormer.Degradations;
using static Restormer.Tests.Degradations.DegradationTestImages;

namespace Restormer.Tests.Degradations;

public class DegradationImageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlurringAConstantImageLeavesItConstantUpToTheBorders(bool linearLight)
    {
        using var flat = Flat(60, 70, 0.37);
        using var kernel = BlurKernels.CameraShake(new Random(1), 41); // larger than half the image: borders reflect
        using var blurred = ImageDegradations.Blur(flat, kernel, linearLight ? CameraResponse.Srgb : null);
        Assert.True(MaxAbsDiff(flat, blurred) < 1e-5);
    }

    [Fact]
    public void BlurIsAConvolutionSoAPointBecomesTheKernel()
    {
        using var kernel = BlurKernels.CameraShake(new Random(2), 9); // not symmetric under a half turn
        using var point = Flat(31, 31, 0, channels: 1);
        point.Set(15, 15, 1f);
        using var blurred = ImageDegradations.Blur(point, kernel);
        var half = kernel.Rows / 2;
        using var patch = new Mat(blurred, new Rect(15 - half, 15 - half, kernel.Cols, kernel.Rows));
        Assert.True(MaxAbsDiff(patch.Clone(), kernel) < 1e-6);
    }

    [Fact]
    public void LinearLightBlurOfAnEdgeIsTheSrgbEncodingOfTheGammaSpaceBlur()
    {
        // Black and white are fixed points of the sRGB curve, so blurring a black/white edge in linear light gives
        // encode(f) where gamma-space blurring gives f, the white fraction under the kernel: brighter mid-tones.
        using var edge = Flat(9, 40, 0, channels: 1);
        using (var right = new Mat(edge, new Rect(20, 0, 20, 9))) right.SetTo(Scalar.All(1));
        using var kernel = BlurKernels.LinearMotion(15, 0);
        using var gammaSpace = ImageDegradations.Blur(edge, kernel);
        using var linearLight = ImageDegradations.Blur(edge, kernel, CameraResponse.Srgb);
        float G(int x) => gammaSpace.At<float>(4, x);
        float L(int x) => linearLight.At<float>(4, x);
        for (var x = 0; x < 40; x++)
        {
            double f = G(x);
            var encoded = f <= 0.0031308 ? 12.92 * f : 1.055 * Math.Pow(f, 1 / 2.4) - 0.055;
            Assert.Equal(encoded, L(x), 4);
        }
        Assert.Equal(0.5, (G(19) + G(20)) / 2, 2); // the edge midpoint: half white in gamma space...
        Assert.True(L(19) > G(19) + 0.15 && L(20) > G(20) + 0.1); // ...clearly brighter in linear light
    }

    [Fact]
    public void SrgbResponseMatchesTheStandardAndRoundTrips()
    {
        var srgb = CameraResponse.Srgb;
        Assert.Equal(0.214041, srgb.ToLinear(0.5), 5); // IEC 61966-2-1: 50 % grey is 21.4 % linear light
        Assert.Equal(0.5, srgb.ToEncoded(0.214041), 5);
        Assert.Equal(0.02 / 12.92, srgb.ToLinear(0.02), 9); // in the linear toe
        var gamma = CameraResponse.Gamma(2.2);
        Assert.Equal(Math.Pow(0.3, 2.2), gamma.ToLinear(0.3), 12);
        using var photo = Photo(32);
        foreach (var response in new[] { srgb, gamma })
        {
            using var linear = response.ToLinear(photo);
            using var back = response.ToEncoded(linear);
            Assert.True(MaxAbsDiff(photo, back) < 1e-5, response.Name);
        }
    }

    [Fact]
    public void GaussianNoiseHasTheRequestedStandardDeviation()
    {
        using var flat = Flat(256, 256, 0.5);
        using var noisy = ImageDegradations.AddGaussianNoise(flat, 0.05, new Random(3));
        var (mean, variance) = Moments(noisy);
        Assert.Equal(0.5, mean, 3);
        Assert.InRange(Math.Sqrt(variance), 0.05 * 0.99, 0.05 * 1.01); // 196 608 samples: relative error ~0.2 %
    }

    [Fact]
    public void PoissonGaussianVarianceGrowsLinearlyWithIntensity()
    {
        const double a = 0.01, sigma = 0.01;
        foreach (var level in new[] { 0.1, 0.5, 0.9 })
        {
            using var flat = Flat(200, 200, level);
            using var noisy = ImageDegradations.AddNoise(flat, sigma, a, new Random(7));
            var (mean, variance) = Moments(noisy);
            Assert.Equal(level, mean, 3);
            var expected = a * level + sigma * sigma;
            Assert.InRange(variance / expected, 0.98, 1.02);
        }
    }

    [Fact]
    public void NoiseIsReproducibleFromTheSeed()
    {
        using var flat = Flat(20, 20, 0.5);
        using var a = ImageDegradations.AddNoise(flat, 0.02, 0.001, new Random(5));
        using var b = ImageDegradations.AddNoise(flat, 0.02, 0.001, new Random(5));
        using var c = ImageDegradations.AddNoise(flat, 0.02, 0.001, new Random(6));
        Assert.Equal(0, MaxAbsDiff(a, b));
        Assert.True(MaxAbsDiff(a, c) > 0.01);
    }

    [Fact]
    public void JpegChangesTheImageKeepsItsShapeAndLowerQualityLosesMore()
    {
        using var photo = Photo();
        using var q30 = ImageDegradations.Jpeg(photo, 30);
        using var q95 = ImageDegradations.Jpeg(photo, 95);
        Assert.Equal(photo.Size(), q30.Size());
        Assert.Equal(MatType.CV_32FC3, q30.Type());
        var error30 = Cv2.Norm(photo, q30, NormTypes.L1) / photo.Total() / 3;
        var error95 = Cv2.Norm(photo, q95, NormTypes.L1) / photo.Total() / 3;
        Assert.True(error30 > 0.005, $"quality 30 changed the image by only {error30}");
        Assert.True(error95 < error30 / 2, $"quality 95 error {error95} vs quality 30 error {error30}");

        using var grey = Flat(16, 24, 0.25, channels: 1);
        using var greyJpeg = ImageDegradations.Jpeg(grey, 50);
        Assert.Equal(MatType.CV_32FC1, greyJpeg.Type());
        Assert.Equal(grey.Size(), greyJpeg.Size());
    }

    [Fact]
    public void ClampKeepsValuesInTheUnitRange()
    {
        using var image = Flat(2, 2, 0.5, channels: 1);
        image.Set(0, 0, -0.3f);
        image.Set(1, 1, 1.7f);
        using var clamped = ImageDegradations.Clamp(image);
        Assert.Equal([0.0, 0.5, 0.5, 1.0], Values(clamped));
    }

    [Fact]
    public void NonFloatImagesAreRejectedWithAHint()
    {
        using var bytes = new Mat(4, 4, MatType.CV_8UC3, Scalar.All(0));
        var error = Assert.Throws<ArgumentException>(() => ImageDegradations.AddGaussianNoise(bytes, 0.1, new Random(0)));
        Assert.Contains("ConvertTo", error.Message);
    }
}

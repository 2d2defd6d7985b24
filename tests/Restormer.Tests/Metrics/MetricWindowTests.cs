using Restormer.Metrics;

namespace Restormer.Tests.Metrics;

/// <summary>
/// The Gaussian windows against a direct, unoptimised 11×11(×11) convolution with clamped (replicate) indices,
/// on sizes that are not multiples of the vector blocks.
/// </summary>
public class MetricWindowTests
{
    static double[] RandomPixels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (double)random.Next(256)).ToArray();
    }

    /// <summary>Σ k[a]·k[b]·k[d]·X[clamp(y+a−5), clamp(x+b−5), clamp(c+d−5)]; with <paramref name="acrossChannels"/> false, d is 5 only.</summary>
    static double[] DirectWindow(double[] pixels, int height, int width, int channels, bool acrossChannels)
    {
        var k = GaussianWindow.Kernel;
        var output = new double[pixels.Length];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                {
                    var sum = 0.0;
                    for (var a = 0; a < 11; a++)
                        for (var b = 0; b < 11; b++)
                            for (var d = acrossChannels ? 0 : 5; d < (acrossChannels ? 11 : 6); d++)
                            {
                                var weight = k[a] * k[b] * (acrossChannels ? k[d] : 1);
                                int yy = Math.Clamp(y + a - 5, 0, height - 1), xx = Math.Clamp(x + b - 5, 0, width - 1), cc = Math.Clamp(c + d - 5, 0, channels - 1);
                                sum += weight * pixels[(yy * width + xx) * channels + cc];
                            }
                    output[(y * width + x) * channels + c] = sum;
                }
        return output;
    }

    [Fact]
    public void KernelIsTheNormalisedGaussianWithSigmaOnePointFive()
    {
        var weights = Enumerable.Range(-5, 11).Select(x => Math.Exp(-x * x / (2 * 1.5 * 1.5))).ToArray();
        for (var i = 0; i < 11; i++) Assert.Equal(weights[i] / weights.Sum(), GaussianWindow.Kernel[i], 1e-15);
    }

    [Theory]
    [InlineData(9, 70, 3)]
    [InlineData(14, 5, 1)]
    [InlineData(3, 12, 4)]
    public void SeparableWindowEqualsDirectConvolution(int height, int width, int channels)
    {
        var pixels = RandomPixels(height * width * channels, seed: height * width);
        var expected = DirectWindow(pixels, height, width, channels, acrossChannels: false);
        var smoothed = (double[])pixels.Clone();
        GaussianWindow.Smooth(smoothed, new double[pixels.Length], height, width, channels);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], smoothed[i], 1e-10);
    }

    [Theory]
    [InlineData(9, 70, 3)]
    [InlineData(14, 5, 1)]
    [InlineData(3, 12, 4)]
    public void Float32WindowEqualsDirectConvolutionToFloat32Rounding(int height, int width, int channels)
    {
        var pixels = RandomPixels(height * width * channels, seed: height + width);
        var expected = DirectWindow(pixels, height, width, channels, acrossChannels: true);
        var smoothed = ReferenceWindow3D.Smooth(Array.ConvertAll(pixels, v => (float)v), height, width, channels);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], smoothed[i], 2e-3);
    }
}

using OpenCvSharp;
using Restormer.Degradations;
using static Restormer.Tests.Degradations.DegradationTestImages;

namespace Restormer.Tests.Degradations;

public class DegradationKernelTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(21)]
    [InlineData(41)]
    public void CameraShakeKernelsAreValidWithTheRequestedSizeAndCentredMass(int size)
    {
        for (var seed = 0; seed < 10; seed++)
        {
            using var kernel = BlurKernels.CameraShake(new Random(seed), size);
            AssertValidKernel(kernel);
            Assert.Equal(size, kernel.Rows);
            // Centred on the path's centroid, so blurring does not shift the image against its sharp target.
            var (cx, cy) = Centroid(kernel);
            Assert.InRange(Math.Abs(cx), 0, 1e-3);
            Assert.InRange(Math.Abs(cy), 0, 1e-3);
            // The path is scaled to span the kernel: some weight lies on the outermost ring of pixels.
            using var inner = new Mat(kernel, new Rect(1, 1, size - 2, size - 2));
            Assert.True(Cv2.Sum(inner).Val0 < 0.99999, $"seed {seed}: nothing reaches the border of a {size}px kernel");
        }
    }

    [Theory]
    [InlineData(DegradationKind.Motion)]
    [InlineData(DegradationKind.Linear)]
    [InlineData(DegradationKind.Mixed)]
    public void SampledMotionKernelsStayWithinTheConfiguredSizeRange(DegradationKind kind)
    {
        var pipeline = new DegradationPipeline(new DegradationOptions { Kind = kind, KernelSize = new ValueRange(9, 25), Mix = new BlurMix(1, 1, 0, 0) });
        var sizes = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            using var kernel = pipeline.SampleKernel(new Random(seed))!;
            AssertValidKernel(kernel);
            Assert.InRange(kernel.Rows, 9, 25);
            sizes.Add(kernel.Rows);
        }
        Assert.True(sizes.Count >= 4, $"sizes drawn: {string.Join(",", sizes)}"); // the range is actually used
    }

    [Fact]
    public void SameSeedGivesTheSameKernelAndOtherSeedsDiffer()
    {
        using var a = BlurKernels.CameraShake(new Random(42), 31);
        using var b = BlurKernels.CameraShake(new Random(42), 31);
        using var c = BlurKernels.CameraShake(new Random(43), 31);
        Assert.Equal(0, MaxAbsDiff(a, b));
        Assert.True(MaxAbsDiff(a, c) > 1e-3);
    }

    [Fact]
    public void LinearMotionAtZeroDegreesIsHorizontalWithTheBoxVarianceOfItsLength()
    {
        const double length = 10;
        using var kernel = BlurKernels.LinearMotion(length, 0);
        AssertValidKernel(kernel);
        var half = kernel.Rows / 2;
        using var centreRow = kernel.Row(half);
        Assert.Equal(1.0, Cv2.Sum(centreRow).Val0, 5);
        // A uniform segment of length L has variance L²/12; bilinear splatting at sub-pixel positions adds the mean
        // of f(1-f) over the fractional offsets, 1/6 for offsets spread uniformly.
        var variance = Enumerable.Range(0, kernel.Cols).Sum(x => kernel.At<float>(half, x) * (x - half) * (double)(x - half));
        Assert.Equal(length * length / 12 + 1.0 / 6, variance, 2);
    }

    [Fact]
    public void LinearMotionAnglesTurnCounterClockwise()
    {
        using var vertical = BlurKernels.LinearMotion(12, 90);
        var half = vertical.Rows / 2;
        using var centreColumn = vertical.Col(half);
        Assert.Equal(1.0, Cv2.Sum(centreColumn).Val0, 5);

        // At 45° the streak rises to the right: with rows growing downwards, x and y are anti-correlated.
        using var diagonal = BlurKernels.LinearMotion(12, 45);
        var size = diagonal.Rows;
        var h = size / 2;
        double cov = 0;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                cov += diagonal.At<float>(y, x) * (x - h) * (y - h);
        Assert.True(cov < -5, $"covariance {cov}");
    }

    [Theory]
    [InlineData(4.0, 1.0)]
    [InlineData(6.5, 2.5)]
    public void DefocusDiscIsRadiallySymmetricWithTheAreaOfItsRadius(double radius, double edge)
    {
        using var kernel = BlurKernels.Defocus(radius, edge);
        AssertValidKernel(kernel);
        foreach (var mode in new[] { FlipMode.X, FlipMode.Y, FlipMode.XY })
        {
            using var flipped = kernel.Flip(mode);
            Assert.True(MaxAbsDiff(kernel, flipped) < 1e-7, $"not symmetric under flip {mode}");
        }
        using var transposed = kernel.T().ToMat();
        Assert.True(MaxAbsDiff(kernel, transposed) < 1e-7);
        // The flat top is 1 / volume; a rim falling linearly over width s centred on r has volume
        // ∫ 2πρ·ramp(ρ) dρ = π(r² + s²/12).
        var half = kernel.Rows / 2;
        var expected = 1 / (Math.PI * (radius * radius + edge * edge / 12));
        Assert.InRange(kernel.At<float>(half, half) / expected, 0.998, 1.002);
        // Equal distances from the centre get equal weights (a rotation by 90° maps (3,4) to (-4,3), etc.).
        Assert.Equal(kernel.At<float>(half + 4, half + 3), kernel.At<float>(half + 3, half - 4), 6);
    }

    [Fact]
    public void GaussianKernelMatchesOpenCvsSeparableGaussian()
    {
        using var kernel = BlurKernels.Gaussian(1.5);
        AssertValidKernel(kernel);
        Assert.Equal(11, kernel.Rows); // truncated at 3σ
        using var g = Cv2.GetGaussianKernel(11, 1.5, MatType.CV_64F)!;
        for (var y = 0; y < 11; y++)
            for (var x = 0; x < 11; x++)
                Assert.Equal(g.At<double>(y, 0) * g.At<double>(x, 0), kernel.At<float>(y, x), 6);
    }

    [Fact]
    public void KernelSizesMustBeOdd()
    {
        var error = Assert.Throws<ArgumentException>(() => KernelRasterizer.Rasterise([new Point2d(0, 0)], 8, 9));
        Assert.Contains("odd", error.Message);
    }

    [Fact]
    public void KernelImageIsScaledToWhiteAtTheKernelsMaximum()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "k.png");
        using var kernel = BlurKernels.LinearMotion(6.3, 30);
        KernelImage.Save(kernel, path);
        using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_8UC1, image.Type());
        Assert.Equal(kernel.Size(), image.Size());
        kernel.MinMaxLoc(out double _, out double max, out Point _, out Point kernelMax);
        image.MinMaxLoc(out double _, out double white);
        Assert.Equal(255, white);
        Assert.Equal(255, image.At<byte>(kernelMax.Y, kernelMax.X));
        Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
    }
}

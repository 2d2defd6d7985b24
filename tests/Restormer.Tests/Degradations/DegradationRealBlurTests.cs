using OpenCvSharp;
using Restormer.Degradations;
using static Restormer.Tests.Degradations.DegradationTestImages;

namespace Restormer.Tests.Degradations;

/// <summary>The degradations that cover real photographs: hand-shake and polyline kernels, camera rotation, highlights, blur space.</summary>
public class DegradationRealBlurTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(23)]
    [InlineData(41)]
    public void HandShakeKernelsAreValidSpanTheKernelAndAreOftenCurved(int size)
    {
        var curved = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            using var kernel = BlurKernels.HandShake(new Random(seed), size);
            AssertValidKernel(kernel);
            Assert.Equal(size, kernel.Rows);
            // The stroke spans the kernel less a 2-px rim: weight reaches the ring just inside the rim.
            var rim = size > 5 ? 3 : 1;
            using var inner = new Mat(kernel, new Rect(rim, rim, size - 2 * rim, size - 2 * rim));
            Assert.True(Cv2.Sum(inner).Val0 < 0.999, $"seed {seed}: the stroke does not span the {size}px kernel");
            if (MinorToMajorSpread(kernel) > 0.05) curved++;
        }
        // A straight stroke has no spread across its axis; recorded shake mostly curves.
        Assert.True(curved >= 8, $"only {curved} of 20 hand-shake kernels are curved");
    }

    [Fact]
    public void PolylineKernelsAreValidAndSeeded()
    {
        for (var seed = 0; seed < 10; seed++)
        {
            using var kernel = BlurKernels.Polyline(new Random(seed), 27);
            AssertValidKernel(kernel);
            Assert.Equal(27, kernel.Rows);
        }
        using var a = BlurKernels.Polyline(new Random(3), 21);
        using var b = BlurKernels.Polyline(new Random(3), 21);
        Assert.Equal(0, MaxAbsDiff(a, b));
    }

    [Fact]
    public void CameraRotationKeepsAFlatImageFlat()
    {
        using var flat = Flat(64, 80, 0.37);
        using var blurred = CameraMotionBlur.Render(flat, 25, new Random(1));
        Assert.InRange(MaxAbsDiff(flat, blurred), 0, 1e-5);
    }

    [Fact]
    public void CameraRotationBlursEachPointWithinTheExtentAndDifferentlyAcrossTheFrame()
    {
        // Isolated bright dots every 40 px; each dot's blurred footprint is the local point-spread function.
        using var dots = Flat(240, 320, 0, channels: 1);
        for (var y = 20; y < 240; y += 40)
            for (var x = 20; x < 320; x += 40)
                dots.Set(y, x, 1f);
        var varying = 0;
        for (var seed = 0; seed < 6; seed++)
        {
            const double extent = 15;
            using var blurred = CameraMotionBlur.Render(dots, extent, new Random(seed));
            var spreads = new List<double>();
            for (var y = 20; y < 240; y += 40)
                for (var x = 20; x < 320; x += 40)
                {
                    using var window = new Mat(blurred, new Rect(x - 19, y - 19, 39, 39));
                    // The dot's light stays near it (within 19 px); mirrored light from beyond the frame's edge adds a little.
                    Assert.InRange(Cv2.Sum(window).Val0, 0.98, 1.03);
                    spreads.Add(Spread(window));
                }
            Assert.True(spreads.Max() <= extent / 2 + 1.5, $"seed {seed}: a footprint reaches {spreads.Max():F1} px from its dot");
            if (spreads.Max() > 1.25 * spreads.Min()) varying++;
        }
        Assert.True(varying >= 3, $"the blur varied across the frame for only {varying} of 6 camera paths");
    }

    [Fact]
    public void ObjectMotionKeepsAFlatImageFlat()
    {
        using var flat = Flat(64, 80, 0.37);
        for (var seed = 0; seed < 4; seed++)
        {
            using var blurred = ObjectMotionBlur.Render(flat, new ValueRange(9, 31), new Random(seed));
            Assert.InRange(MaxAbsDiff(flat, blurred), 0, 1e-5);
        }
    }

    [Fact]
    public void TheObjectSmearsAlongItsPathWhileAStillBackgroundStaysSharp()
    {
        using var photo = Photo(96);
        // A disc in the middle moving 15 px to the right; the background is still.
        using var matte = new Mat(96, 96, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Circle(matte, new Point(48, 48), 20, Scalar.All(1), -1);
        using var kernel = BlurKernels.LinearMotion(15, 0);
        using var blurred = ObjectMotionBlur.Render(photo, matte, kernel, backgroundKernel: null);
        using var smeared = ImageDegradations.Convolve(photo, kernel);
        // Far from the object's path the background is untouched; deep inside the object it is the object's blur.
        Assert.InRange(RegionDiff(photo, blurred, new Rect(0, 0, 96, 16)), 0, 1e-6);
        Assert.InRange(RegionDiff(smeared, blurred, new Rect(40, 40, 16, 16)), 0, 1e-5);
        Assert.True(RegionDiff(photo, blurred, new Rect(40, 40, 16, 16)) > 0.05, "the object should be blurred");
        // Beside the disc along its motion, the object's light covers part of the background.
        Assert.True(RegionDiff(photo, blurred, new Rect(70, 44, 4, 8)) > 0.01, "the object should smear past its edge");
    }

    /// <summary>The largest absolute difference of <paramref name="a"/> and <paramref name="b"/> within <paramref name="region"/>.</summary>
    static double RegionDiff(Mat a, Mat b, Rect region)
    {
        using var left = new Mat(a, region);
        using var right = new Mat(b, region);
        return MaxAbsDiff(left, right);
    }

    [Fact]
    public void ObjectMattesAreSeededSoftEdgedBlobsOfAPlausibleSize()
    {
        for (var seed = 0; seed < 10; seed++)
        {
            using var matte = ObjectMotionBlur.Matte(128, 96, new Random(seed));
            Cv2.MinMaxLoc(matte, out double low, out double high);
            Assert.InRange(low, 0, 1e-6);
            Assert.InRange(high, 1 - 1e-6, 1 + 1e-6);
            // The object covers between a sliver (cut by the border) and about half of the 96x128 frame.
            Assert.InRange(Cv2.Mean(matte).Val0, 0.002, 0.6);
            using var again = ObjectMotionBlur.Matte(128, 96, new Random(seed));
            Assert.Equal(0, MaxAbsDiff(matte, again));
        }
    }

    [Fact]
    public void BlurOnStoredValuesIsAPlainConvolutionAndLinearLightDiffers()
    {
        using var photo = Photo(64);
        var stored = new DegradationPipeline(new DegradationOptions { Kind = DegradationKind.Shake, KernelSize = new ValueRange(9, 9), LinearLight = 0 });
        var (degraded, target, kernel) = stored.ApplyPair(photo, new Random(8));
        using (degraded) using (target) using (kernel)
        {
            using var expected = ImageDegradations.Clamp(ImageDegradations.Convolve(photo, kernel!));
            Assert.InRange(MaxAbsDiff(expected, degraded), 0, 1e-6);
            Assert.Equal(0, MaxAbsDiff(photo, target));
        }
        var linear = new DegradationPipeline(stored.Options with { LinearLight = 1 });
        var (inLight, _, lightKernel) = linear.ApplyPair(photo, new Random(8));
        using (inLight) using (lightKernel)
        {
            using var expected = ImageDegradations.Blur(photo, lightKernel!, CameraResponse.Srgb);
            Assert.InRange(MaxAbsDiff(expected, inLight), 0, 1e-5);
            using var plain = ImageDegradations.Convolve(photo, lightKernel!);
            Assert.True(MaxAbsDiff(plain, inLight) > 0.01, "linear-light blur should differ from blur of stored values");
        }
    }

    [Fact]
    public void SaturatedHighlightsSmearIntoBrightStreaksAndTheTargetIsClippedTheSameWay()
    {
        // A dark scene with a small lamp at full scale and a mid-grey patch.
        using var scene = Flat(64, 64, 0.05);
        scene[new Rect(30, 30, 3, 3)].SetTo(Scalar.All(1.0));
        scene[new Rect(2, 2, 10, 10)].SetTo(Scalar.All(0.5));
        var plain = new DegradationOptions { Kind = DegradationKind.Linear, KernelSize = new ValueRange(21, 21), LinearLight = 1 };
        var lit = new DegradationPipeline(plain with { HighlightProbability = 1, HighlightGain = new ValueRange(4, 4) });
        var (withHighlights, target, k1) = lit.ApplyPair(scene, new Random(2));
        var (without, sameTarget, k2) = new DegradationPipeline(plain).ApplyPair(scene, new Random(2));
        using (withHighlights) using (target) using (k1) using (without) using (sameTarget) using (k2)
        {
            Cv2.MinMaxLoc(withHighlights, out _, out double litPeak);
            Cv2.MinMaxLoc(without, out _, out double plainPeak);
            Assert.True(litPeak > plainPeak + 0.1, $"the streak of a saturated lamp ({litPeak:F3}) should outshine a plain one ({plainPeak:F3})");
            Assert.InRange(target.At<Vec3f>(31, 31).Item0, 0.999f, 1f);                 // the lamp clips at full scale
            Assert.InRange(Math.Abs(target.At<Vec3f>(5, 5).Item0 - 0.5f), 0, 1e-4);     // mid-tones keep their level
            Assert.Equal(0, MaxAbsDiff(scene, sameTarget));
        }
    }

    [Fact]
    public void TheRealCameraPresetIsReproducibleAndCoversEveryKind()
    {
        using var photo = Photo(96);
        var pipeline = DegradationPipeline.FromDictionary(new Dictionary<string, object?> { ["preset"] = "real_camera_blur" });
        var first = pipeline.ApplyPair(photo, new Random(77));
        var again = pipeline.ApplyPair(photo, new Random(77));
        Assert.Equal(0, MaxAbsDiff(first.Degraded, again.Degraded));
        Assert.Equal(0, MaxAbsDiff(first.Target, again.Target));
        foreach (var pair in new[] { first, again }) { pair.Degraded.Dispose(); pair.Target.Dispose(); pair.Kernel?.Dispose(); }

        var kinds = new HashSet<DegradationKind>();
        var rng = new Random(5);
        for (var i = 0; i < 200; i++) kinds.Add(pipeline.Options.Mix.Pick(rng));
        Assert.Equal([DegradationKind.Motion, DegradationKind.Linear, DegradationKind.Shake, DegradationKind.Camera, DegradationKind.None, DegradationKind.Object], kinds.Order());
    }

    [Fact]
    public void MixAndHighlightKeysParseAndBadOnesAreNamed()
    {
        var options = DegradationOptions.FromDictionary(new Dictionary<string, object?>
        {
            ["kind"] = "mixed",
            ["mix"] = new Dictionary<object, object> { ["Shake"] = "2", ["camera"] = "1", ["polyline"] = "1", ["none"] = "0.5", ["object"] = "0.25" },
            ["highlight_probability"] = "0.3",
            ["highlight_gain"] = new List<object> { "2", "3" },
        });
        Assert.Equal((2.0, 1.0, 1.0, 0.5, 0.25), (options.Mix.Shake, options.Mix.Camera, options.Mix.Polyline, options.Mix.None, options.Mix.Object));
        Assert.Equal((0.3, new ValueRange(2, 3)), (options.HighlightProbability, options.HighlightGain));
        var error = Assert.Throws<ArgumentException>(() => DegradationOptions.FromDictionary(new Dictionary<string, object?> { ["highlight_gain"] = "0.5" }));
        Assert.Contains("highlight_gain", error.Message);
        var unknown = Assert.Throws<ArgumentException>(() => DegradationOptions.FromDictionary(new Dictionary<string, object?>
        {
            ["mix"] = new Dictionary<object, object> { ["blob"] = "1" },
        }));
        Assert.All(new BlurMix().Weights, w => Assert.Contains(w.Kind.ToString().ToLowerInvariant(), unknown.Message));
    }

    /// <summary>√(smaller / larger eigenvalue) of a kernel's second-moment matrix: 0 for a straight stroke.</summary>
    static double MinorToMajorSpread(Mat kernel)
    {
        var (cx, cy) = Centroid(kernel);
        double xx = 0, yy = 0, xy = 0;
        int rows = kernel.Rows, cols = kernel.Cols, half = rows / 2;
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < cols; x++)
            {
                double w = kernel.At<float>(y, x), dx = x - half - cx, dy = y - half - cy;
                (xx, yy, xy) = (xx + w * dx * dx, yy + w * dy * dy, xy + w * dx * dy);
            }
        var root = Math.Sqrt((xx - yy) * (xx - yy) / 4 + xy * xy);
        var (major, minor) = ((xx + yy) / 2 + root, (xx + yy) / 2 - root);
        return Math.Sqrt(Math.Max(minor, 0) / major);
    }

    /// <summary>The root-mean-square distance of a footprint's light from its centre of mass, in pixels.</summary>
    static double Spread(Mat window)
    {
        int rows = window.Rows, cols = window.Cols;
        double total = 0, sx = 0, sy = 0;
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < cols; x++)
            {
                double w = window.At<float>(y, x);
                (total, sx, sy) = (total + w, sx + w * x, sy + w * y);
            }
        double mx = sx / total, my = sy / total, m2 = 0;
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < cols; x++)
                m2 += window.At<float>(y, x) * ((x - mx) * (x - mx) + (y - my) * (y - my));
        return Math.Sqrt(m2 / total);
    }
}

using OpenCvSharp;
using Restormer.Degradations;
using YamlDotNet.Serialization;
using static Restormer.Tests.Degradations.DegradationTestImages;

namespace Restormer.Tests.Degradations;

public class DegradationPipelineTests
{
    [Fact]
    public void SameSeedGivesTheSameImageAndKernelAndOtherSeedsDiffer()
    {
        using var photo = Photo();
        var pipeline = DegradationPipeline.MotionBlurWithMildNoise;
        var (a, ta, ka) = pipeline.ApplyPair(photo, new Random(11));
        var (b, tb, kb) = pipeline.ApplyPair(photo, new Random(11));
        var (c, tc, kc) = pipeline.ApplyPair(photo, new Random(12));
        using (a) using (b) using (c) using (ka) using (kb) using (kc) using (ta) using (tb) using (tc)
        {
            Assert.Equal(0, MaxAbsDiff(a, b));
            Assert.Equal(0, MaxAbsDiff(ka!, kb!));
            Assert.True(MaxAbsDiff(a, c) > 0.01);
            Assert.True(ka!.Size() != kc!.Size() || MaxAbsDiff(ka, kc) > 1e-3);
        }
    }

    [Theory]
    [InlineData(DegradationKind.Motion, true)]
    [InlineData(DegradationKind.Linear, true)]
    [InlineData(DegradationKind.Defocus, true)]
    [InlineData(DegradationKind.Gaussian, true)]
    [InlineData(DegradationKind.Mixed, true)]
    [InlineData(DegradationKind.Shake, true)]
    [InlineData(DegradationKind.Polyline, true)]
    [InlineData(DegradationKind.Camera, false)]
    [InlineData(DegradationKind.Noise, false)]
    [InlineData(DegradationKind.Jpeg, false)]
    public void EveryKindKeepsShapeAndRangeAndChangesTheImage(DegradationKind kind, bool hasKernel)
    {
        using var photo = Photo(64);
        var (degraded, target, kernel) = DegradationPipeline.ForKind(kind).ApplyPair(photo, new Random(4));
        using (degraded) using (kernel) using (target)
        {
            Assert.Equal(0, MaxAbsDiff(photo, target)); // no highlights: the target is the sharp image
            Assert.Equal(hasKernel, kernel is not null);
            Assert.Equal(photo.Size(), degraded.Size());
            Assert.Equal(photo.Type(), degraded.Type());
            Assert.All(Values(degraded), v => Assert.InRange(v, 0.0, 1.0));
            Assert.True(MaxAbsDiff(photo, degraded) > 0.02, $"{kind} left the image nearly unchanged");
        }
    }

    [Fact]
    public void PresetNoiseStaysMild()
    {
        // Flat grey shows the noise alone: blur leaves it unchanged and the preset's total σ is at most ~0.017.
        using var flat = Flat(64, 64, 0.5);
        for (var seed = 0; seed < 8; seed++)
        {
            using var degraded = DegradationPipeline.MotionBlurWithMildNoise.Apply(flat, new Random(seed));
            Assert.InRange(Math.Sqrt(Moments(degraded).Variance), 0, 0.02);
        }
    }

    [Fact]
    public void OptionFileYamlIsRead()
    {
        const string yaml = """
            kind: mixed
            mix: {motion: 3, linear: 1}
            kernel_size: [9, 31]
            defocus_radius: 2.5
            linear_light: 0.5
            camera_response: 2.2
            noise_probability: yes
            noise_sigma: [0, 0.02]
            poisson: [0, 1e-4]
            jpeg_probability: 0.1
            jpeg_quality: [60, 90]
            """;
        var settings = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(yaml);
        var o = DegradationOptions.FromDictionary(settings);
        Assert.Equal(DegradationKind.Mixed, o.Kind);
        Assert.Equal(new BlurMix(3, 1, 0, 0), o.Mix);
        Assert.Equal(new ValueRange(9, 31), o.KernelSize);
        Assert.Equal(ValueRange.Fixed(2.5), o.DefocusRadius);
        Assert.Equal(0.5, o.LinearLight);
        Assert.Equal("gamma 2.2", o.Response.Name);
        Assert.Equal(1, o.NoiseProbability);
        Assert.Equal(new ValueRange(0, 0.02), o.NoiseSigma);
        Assert.Equal(new ValueRange(0, 1e-4), o.Poisson);
        Assert.Equal(0.1, o.JpegProbability);
        Assert.Equal(new ValueRange(60, 90), o.JpegQuality);
        Assert.Equal(new DegradationOptions().DefocusEdge, o.DefocusEdge); // unset keys keep their defaults
    }

    [Fact]
    public void PresetKeyStartsFromThePresetAndOtherKeysOverrideIt()
    {
        var o = DegradationOptions.FromDictionary(new Dictionary<string, object?> { ["preset"] = "motion_blur_with_mild_noise", ["jpeg_probability"] = false });
        Assert.Equal(DegradationPipeline.MotionBlurWithMildNoiseOptions with { JpegProbability = 0 }, o);
    }

    [Theory]
    [InlineData("blur_size", "[9, 31]", "Unknown degradation option(s) 'blur_size'")]
    [InlineData("kernel_size", "[8, 30]", "'kernel_size' is [8, 30]; both ends must be odd")]
    [InlineData("kind", "wobble", "kind 'wobble' (option 'kind', or --kind); use one of motion, linear")]
    [InlineData("noise_probability", "1.5", "'noise_probability' is 1.5")]
    [InlineData("jpeg_quality", "[90, 60]", "'jpeg_quality' is [90, 60]")]
    [InlineData("noise_sigma", "low", "'noise_sigma' needs a number; got 'low'")]
    [InlineData("mix", "{blur: 1}", "'mix' names 'blur'")]
    [InlineData("preset", "strong", "known presets: motion_blur_with_mild_noise")]
    public void BadOptionsAreRejectedNamingTheKey(string key, string value, string message)
    {
        var settings = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>($"{key}: {value}");
        var error = Assert.Throws<ArgumentException>(() => DegradationPipeline.FromDictionary(settings));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void MixedDrawsBlurKindsInProportionToTheirWeights()
    {
        var mix = new BlurMix(Motion: 3, Linear: 1, Defocus: 0, Gaussian: 0);
        var rng = new Random(9);
        var counts = Enumerable.Range(0, 8000).Select(_ => mix.Pick(rng)).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([DegradationKind.Motion, DegradationKind.Linear], counts.Keys.Order());
        Assert.InRange(counts[DegradationKind.Motion] / 8000.0, 0.73, 0.77);
    }
}

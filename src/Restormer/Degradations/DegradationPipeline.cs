using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Synthesises a degraded training input from a sharp image: a random blur (optionally in linear light), then
/// optional sensor noise, then optional JPEG re-compression, then clamping to [0, 1]. All randomness comes from
/// the <see cref="Random"/> passed in, drawn in a fixed order, so a seed reproduces a sample exactly.
/// </summary>
public sealed class DegradationPipeline
{
    /// <summary>Builds a pipeline after validating <paramref name="options"/>.</summary>
    public DegradationPipeline(DegradationOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The options this pipeline samples from.</summary>
    public DegradationOptions Options { get; }

    /// <summary>
    /// The degradation used to train the shipped default deblurring model: camera shake (80 %) and linear motion
    /// (20 %) with kernels of 7–41 px, blurred in sRGB linear light; then mild Poisson–Gaussian noise on 80 % of
    /// samples (read-noise σ ≤ 0.01, shot-noise scale ≤ 2·10⁻⁴, so the total σ stays below about 0.017 even in
    /// white areas) and mild JPEG (quality 75–95) on 20 %.
    /// </summary>
    public static DegradationOptions MotionBlurWithMildNoiseOptions { get; } = new()
    {
        Kind = DegradationKind.Mixed,
        Mix = new BlurMix(Motion: 0.8, Linear: 0.2, Defocus: 0, Gaussian: 0),
        KernelSize = new ValueRange(7, 41),
        LinearLight = 1,
        Response = CameraResponse.Srgb,
        NoiseProbability = 0.8,
        NoiseSigma = new ValueRange(0, 0.01),
        Poisson = new ValueRange(0, 2e-4),
        JpegProbability = 0.2,
        JpegQuality = new ValueRange(75, 95),
    };

    /// <summary>
    /// The degradation the shipped default model is trained on, built to cover real photographs rather than one
    /// generator: hand-shake kernels (40 %), spatially varying camera rotation (25 %), a moving object over a still or
    /// shaken background (10 %), the older camera-shake trajectories (5 %) and linear motion (10 %) of 5–41 px, or no
    /// blur (10 %, so sharp photos are left alone); the blur is done in linear light for half of the samples and on
    /// the stored values for the other half (camera rotation and highlights always in linear light); saturated
    /// highlights on 20 %; Poisson–Gaussian noise on 90 % (read noise σ ≤ 0.02, shot noise ≤ 5·10⁻⁴·x); JPEG at
    /// quality 60–95 on 25 %.
    /// </summary>
    public static DegradationOptions RealCameraBlurOptions { get; } = new()
    {
        Kind = DegradationKind.Mixed,
        Mix = new BlurMix(Motion: 0.05, Linear: 0.1, Defocus: 0, Gaussian: 0, Shake: 0.4, Camera: 0.25, None: 0.1, Object: 0.1),
        KernelSize = new ValueRange(5, 41),
        LinearLight = 0.5,
        Response = CameraResponse.Srgb,
        HighlightProbability = 0.2,
        HighlightGain = new ValueRange(1.5, 4),
        NoiseProbability = 0.9,
        NoiseSigma = new ValueRange(0, 0.02),
        Poisson = new ValueRange(0, 5e-4),
        JpegProbability = 0.25,
        JpegQuality = new ValueRange(60, 95),
    };

    /// <summary>A pipeline with <see cref="MotionBlurWithMildNoiseOptions"/>.</summary>
    public static DegradationPipeline MotionBlurWithMildNoise { get; } = new(MotionBlurWithMildNoiseOptions);

    /// <summary>A pipeline for one <see cref="DegradationKind"/> with the default ranges of <see cref="DegradationOptions"/>.</summary>
    public static DegradationPipeline ForKind(DegradationKind kind) => new(new DegradationOptions { Kind = kind });

    /// <summary>A pipeline described by an option-file dictionary (keys in <see cref="DegradationOptionsReader"/>).</summary>
    public static DegradationPipeline FromDictionary(IDictionary<string, object?> settings) => new(DegradationOptions.FromDictionary(settings));

    /// <summary>Degrades <paramref name="sharp"/> (float, values in [0, 1]); returns a new image of the same size and channels.</summary>
    /// <remarks>With saturated highlights the matching target differs from <paramref name="sharp"/>: use <see cref="ApplyPair"/>.</remarks>
    public Mat Apply(Mat sharp, Random rng)
    {
        var pair = ApplyPair(sharp, rng);
        pair.Kernel?.Dispose();
        pair.Target.Dispose();
        return pair.Degraded;
    }

    /// <summary>
    /// Degrades <paramref name="sharp"/> (float, values in [0, 1]) and returns the degraded image, the sharp target it
    /// pairs with (a copy of <paramref name="sharp"/>, or its clipped version when highlights were saturated) and the
    /// blur kernel used (null for camera rotation, object motion and the kinds without blur). The caller disposes all three.
    /// </summary>
    public DegradedPair ApplyPair(Mat sharp, Random rng)
    {
        ImageChecks.RequireFloat(sharp);
        var kind = PickKind(rng);
        var kernel = SampleKernel(kind, rng);
        var extent = kind == DegradationKind.Camera ? Options.KernelSize.Sample(rng) : 0;
        var highlights = kind is not (DegradationKind.Noise or DegradationKind.Jpeg) && rng.NextBernoulli(Options.HighlightProbability);
        var linear = highlights || kind == DegradationKind.Camera
            || (Blurs(kind) && rng.NextBernoulli(Options.LinearLight)) ? Options.Response : null;

        var scene = linear?.ToLinear(sharp) ?? sharp.Clone();
        var target = sharp.Clone();
        if (highlights)
        {
            scene = Replace(scene, ImageDegradations.SaturateHighlights(scene, Options.HighlightGain.Sample(rng)));
            using var clipped = ImageDegradations.Clamp(scene);
            target = Replace(target, linear!.ToEncoded(clipped));
        }
        var current = kind == DegradationKind.Camera ? CameraMotionBlur.Render(scene, extent, rng)
            : kind == DegradationKind.Object ? ObjectMotionBlur.Render(scene, Options.KernelSize, rng)
            : kernel is null ? scene.Clone()
            : ImageDegradations.Convolve(scene, kernel);
        scene.Dispose();
        if (linear is not null) current = Replace(current, linear.ToEncoded(current)); // clips, as the sensor does
        if (kind == DegradationKind.Noise || rng.NextBernoulli(Options.NoiseProbability))
            current = Replace(current, ImageDegradations.AddNoise(current, Options.NoiseSigma.Sample(rng), Options.Poisson.Sample(rng), rng));
        if (kind == DegradationKind.Jpeg || rng.NextBernoulli(Options.JpegProbability))
            current = Replace(current, ImageDegradations.Jpeg(current, SampleQuality(rng)));
        return new DegradedPair(Replace(current, ImageDegradations.Clamp(current)), target, kernel);
    }

    /// <summary>Draws the kind of one sample (from the mix, for <see cref="DegradationKind.Mixed"/>) and its blur kernel, or null when it has none.</summary>
    public Mat? SampleKernel(Random rng) => SampleKernel(PickKind(rng), rng);

    /// <summary>Whether <paramref name="kind"/> blurs the image (every kind but the noise/JPEG-only ones).</summary>
    static bool Blurs(DegradationKind kind) => kind is not (DegradationKind.None or DegradationKind.Noise or DegradationKind.Jpeg);

    DegradationKind PickKind(Random rng) => Options.Kind == DegradationKind.Mixed ? Options.Mix.Pick(rng) : Options.Kind;

    /// <summary>Draws the blur kernel for one sample of <paramref name="kind"/>, or null when that kind has no kernel.</summary>
    public Mat? SampleKernel(DegradationKind kind, Random rng)
    {
        var (minSize, maxSize) = ((int)Options.KernelSize.Min, (int)Options.KernelSize.Max);
        return kind switch
        {
            DegradationKind.Motion => BlurKernels.CameraShake(rng, rng.NextOdd(minSize, maxSize)),
            DegradationKind.Shake => BlurKernels.HandShake(rng, rng.NextOdd(minSize, maxSize)),
            DegradationKind.Polyline => BlurKernels.Polyline(rng, rng.NextOdd(minSize, maxSize)),
            DegradationKind.Linear => BlurKernels.LinearMotion(rng.NextUniform(minSize - 1, maxSize - 1), 180 * rng.NextDouble(), minSize),
            DegradationKind.Defocus => BlurKernels.Defocus(Options.DefocusRadius.Sample(rng), Options.DefocusEdge.Sample(rng)),
            DegradationKind.Gaussian => BlurKernels.Gaussian(Options.GaussianSigma.Sample(rng)),
            _ => null,
        };
    }

    int SampleQuality(Random rng) => (int)Math.Round(Options.JpegQuality.Sample(rng));

    static Mat Replace(Mat old, Mat next)
    {
        old.Dispose();
        return next;
    }
}

/// <summary>One synthesised training pair: the degraded input, its sharp target and the blur kernel (null if none).</summary>
public sealed record DegradedPair(Mat Degraded, Mat Target, Mat? Kernel);

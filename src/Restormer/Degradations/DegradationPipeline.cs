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

    /// <summary>A pipeline with <see cref="MotionBlurWithMildNoiseOptions"/>.</summary>
    public static DegradationPipeline MotionBlurWithMildNoise { get; } = new(MotionBlurWithMildNoiseOptions);

    /// <summary>A pipeline for one <see cref="DegradationKind"/> with the default ranges of <see cref="DegradationOptions"/>.</summary>
    public static DegradationPipeline ForKind(DegradationKind kind) => new(new DegradationOptions { Kind = kind });

    /// <summary>A pipeline described by an option-file dictionary (keys in <see cref="DegradationOptionsReader"/>).</summary>
    public static DegradationPipeline FromDictionary(IDictionary<string, object?> settings) => new(DegradationOptions.FromDictionary(settings));

    /// <summary>Degrades <paramref name="sharp"/> (float, values in [0, 1]); returns a new image of the same size and channels.</summary>
    public Mat Apply(Mat sharp, Random rng)
    {
        var (degraded, kernel) = ApplyWithKernel(sharp, rng);
        kernel?.Dispose();
        return degraded;
    }

    /// <summary>Like <see cref="Apply"/>, also returning the blur kernel used (null for the noise and JPEG kinds), e.g. to save it.</summary>
    public (Mat Degraded, Mat? Kernel) ApplyWithKernel(Mat sharp, Random rng)
    {
        ImageChecks.RequireFloat(sharp);
        var kernel = SampleKernel(rng);
        var current = kernel is null
            ? sharp.Clone()
            : ImageDegradations.Blur(sharp, kernel, rng.NextBernoulli(Options.LinearLight) ? Options.Response : null);
        if (Options.Kind == DegradationKind.Noise || rng.NextBernoulli(Options.NoiseProbability))
            current = Replace(current, ImageDegradations.AddNoise(current, Options.NoiseSigma.Sample(rng), Options.Poisson.Sample(rng), rng));
        if (Options.Kind == DegradationKind.Jpeg || rng.NextBernoulli(Options.JpegProbability))
            current = Replace(current, ImageDegradations.Jpeg(current, SampleQuality(rng)));
        return (Replace(current, ImageDegradations.Clamp(current)), kernel);
    }

    /// <summary>Draws the blur kernel for one sample, or null when the kind has no blur stage.</summary>
    public Mat? SampleKernel(Random rng)
    {
        var kind = Options.Kind == DegradationKind.Mixed ? Options.Mix.Pick(rng) : Options.Kind;
        var (minSize, maxSize) = ((int)Options.KernelSize.Min, (int)Options.KernelSize.Max);
        return kind switch
        {
            DegradationKind.Motion => BlurKernels.CameraShake(rng, rng.NextOdd(minSize, maxSize)),
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

namespace Restormer.Degradations;

/// <summary>
/// Describes a <see cref="DegradationPipeline"/>: the blur kind and the ranges its parameters are drawn from, then
/// optional sensor noise and JPEG stages. Ranges are sampled uniformly per image. Kernel sizes are in pixels,
/// noise levels on the [0, 1] intensity scale. <see cref="FromDictionary"/> reads the same settings from an
/// option file (keys in docs/degradations.md).
/// </summary>
public sealed record DegradationOptions
{
    /// <summary>The blur (or no-blur) kind; option key <c>kind</c>.</summary>
    public DegradationKind Kind { get; init; } = DegradationKind.Motion;

    /// <summary>Weights of the blur kinds for <see cref="DegradationKind.Mixed"/>; key <c>mix</c>.</summary>
    public BlurMix Mix { get; init; } = new();

    /// <summary>Odd kernel sizes for camera-shake, hand-shake and linear motion kernels (linear lengths span min−1..max−1 px), and
    /// the blur extent of camera rotation; key <c>kernel_size</c>.</summary>
    public ValueRange KernelSize { get; init; } = new(7, 41);

    /// <summary>Defocus disc radius in pixels; key <c>defocus_radius</c>.</summary>
    public ValueRange DefocusRadius { get; init; } = new(1, 8);

    /// <summary>Width in pixels of the defocus disc's soft rim (1 = just anti-aliased); key <c>defocus_edge</c>.</summary>
    public ValueRange DefocusEdge { get; init; } = new(1, 2);

    /// <summary>Gaussian blur sigma in pixels; key <c>gaussian_sigma</c>.</summary>
    public ValueRange GaussianSigma { get; init; } = new(0.5, 3);

    /// <summary>Probability that a blur is done in linear light (decode with <see cref="Response"/>, blur, re-encode); key <c>linear_light</c>.</summary>
    public double LinearLight { get; init; } = 1;

    /// <summary>The camera response used for linear-light blur; key <c>camera_response</c> (<c>srgb</c> or a gamma such as 2.2).</summary>
    public CameraResponse Response { get; init; } = CameraResponse.Srgb;

    /// <summary>Probability of the noise stage (always applied for <see cref="DegradationKind.Noise"/>); key <c>noise_probability</c>.</summary>
    public double NoiseProbability { get; init; }

    /// <summary>Standard deviation of the signal-independent (read) noise; key <c>noise_sigma</c>.</summary>
    public ValueRange NoiseSigma { get; init; } = new(0.01, 0.05);

    /// <summary>Poisson scale a of the signal-dependent (shot) noise, variance a·x; key <c>poisson</c>.</summary>
    public ValueRange Poisson { get; init; } = new(0, 0);

    /// <summary>Probability of the JPEG stage (always applied for <see cref="DegradationKind.Jpeg"/>); key <c>jpeg_probability</c>.</summary>
    public double JpegProbability { get; init; }

    /// <summary>JPEG quality (1–100), drawn as an integer; key <c>jpeg_quality</c>.</summary>
    public ValueRange JpegQuality { get; init; } = new(40, 95);

    /// <summary>
    /// Probability of saturated highlights (key <c>highlight_probability</c>): in linear light, values above about half
    /// of full scale are raised smoothly by a gain drawn from <see cref="HighlightGain"/> before blurring, and clipped
    /// after, as a sensor clips light sources and specular glints; the sharp target is clipped the same way, so lamps
    /// and reflections smear into bright streaks as in real night and indoor shots.
    /// </summary>
    public double HighlightProbability { get; init; }

    /// <summary>The largest gain of a saturated highlight (1 = none); key <c>highlight_gain</c>.</summary>
    public ValueRange HighlightGain { get; init; } = new(1.5, 4);

    /// <summary>Reads options from an option-file dictionary; see <see cref="DegradationOptionsReader"/> for the keys.</summary>
    public static DegradationOptions FromDictionary(IDictionary<string, object?> settings) => DegradationOptionsReader.Read(settings);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"Degradation option 'kind' has the unknown value {Kind}.");
        Mix.Validate();
        KernelSize.Validate("kernel_size", 1, 255);
        if (KernelSize.Min % 2 != 1 || KernelSize.Max % 2 != 1)
            throw new ArgumentException($"Degradation option 'kernel_size' is {KernelSize}; both ends must be odd integers (a kernel needs a centre pixel), e.g. [7, 41].");
        DefocusRadius.Validate("defocus_radius", 0, 100);
        DefocusEdge.Validate("defocus_edge", 0.1, 100);
        GaussianSigma.Validate("gaussian_sigma", 0, 50);
        ValidateProbability("linear_light", LinearLight);
        ValidateProbability("noise_probability", NoiseProbability);
        NoiseSigma.Validate("noise_sigma", 0, 1);
        Poisson.Validate("poisson", 0, 1);
        ValidateProbability("jpeg_probability", JpegProbability);
        JpegQuality.Validate("jpeg_quality", 1, 100);
        ValidateProbability("highlight_probability", HighlightProbability);
        HighlightGain.Validate("highlight_gain", 1, 100);
    }

    static void ValidateProbability(string option, double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentException($"Degradation option '{option}' is {p}; a probability must be in [0, 1].");
    }
}

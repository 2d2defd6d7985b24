using System.Collections;
using System.Globalization;

namespace Restormer.Degradations;

/// <summary>
/// Reads <see cref="DegradationOptions"/> from the dictionary an option file deserialises to (YamlDotNet gives
/// strings for scalars, lists for sequences and dictionaries for maps; typed numbers and booleans work too).
/// Keys (all optional; docs/degradations.md has the full description):
/// <list type="bullet">
/// <item><c>preset</c>: <c>motion_blur_with_mild_noise</c> or <c>real_camera_blur</c> starts from that preset; the other keys override it.</item>
/// <item><c>kind</c>: <c>motion | shake | linear | camera | object | polyline | defocus | gaussian | none | noise | jpeg | mixed</c>.</item>
/// <item><c>mix</c>: map of blur kind to weight for <c>mixed</c>, e.g. <c>{shake: 0.6, camera: 0.3, none: 0.1}</c> (absent kinds weigh 0).</item>
/// <item><c>kernel_size</c>, <c>defocus_radius</c>, <c>defocus_edge</c>, <c>gaussian_sigma</c>, <c>noise_sigma</c>,
/// <c>poisson</c>, <c>jpeg_quality</c>, <c>highlight_gain</c>: a range <c>[min, max]</c> or a single number.</item>
/// <item><c>linear_light</c>, <c>noise_probability</c>, <c>jpeg_probability</c>, <c>highlight_probability</c>: a probability in [0, 1] or true/false.</item>
/// <item><c>camera_response</c>: <c>srgb</c> or a gamma such as <c>2.2</c>.</item>
/// </list>
/// </summary>
public static class DegradationOptionsReader
{
    /// <summary>The preset names accepted by the <c>preset</c> key.</summary>
    public static IReadOnlyDictionary<string, DegradationOptions> Presets { get; } = new Dictionary<string, DegradationOptions>
    {
        ["motion_blur_with_mild_noise"] = DegradationPipeline.MotionBlurWithMildNoiseOptions,
        ["real_camera_blur"] = DegradationPipeline.RealCameraBlurOptions,
    };

    static readonly Dictionary<string, Func<DegradationOptions, object, DegradationOptions>> Setters = new()
    {
        ["kind"] = (o, v) => o with { Kind = ParseKind(v) },
        ["mix"] = (o, v) => o with { Mix = ParseMix(v) },
        ["kernel_size"] = (o, v) => o with { KernelSize = ParseRange("kernel_size", v) },
        ["defocus_radius"] = (o, v) => o with { DefocusRadius = ParseRange("defocus_radius", v) },
        ["defocus_edge"] = (o, v) => o with { DefocusEdge = ParseRange("defocus_edge", v) },
        ["gaussian_sigma"] = (o, v) => o with { GaussianSigma = ParseRange("gaussian_sigma", v) },
        ["linear_light"] = (o, v) => o with { LinearLight = ParseProbability("linear_light", v) },
        ["camera_response"] = (o, v) => o with { Response = ParseResponse(v) },
        ["noise_probability"] = (o, v) => o with { NoiseProbability = ParseProbability("noise_probability", v) },
        ["noise_sigma"] = (o, v) => o with { NoiseSigma = ParseRange("noise_sigma", v) },
        ["poisson"] = (o, v) => o with { Poisson = ParseRange("poisson", v) },
        ["jpeg_probability"] = (o, v) => o with { JpegProbability = ParseProbability("jpeg_probability", v) },
        ["jpeg_quality"] = (o, v) => o with { JpegQuality = ParseRange("jpeg_quality", v) },
        ["highlight_probability"] = (o, v) => o with { HighlightProbability = ParseProbability("highlight_probability", v) },
        ["highlight_gain"] = (o, v) => o with { HighlightGain = ParseRange("highlight_gain", v) },
    };

    /// <summary>Every key <see cref="Read"/> accepts.</summary>
    public static IEnumerable<string> Keys => Setters.Keys.Prepend("preset");

    /// <summary>Builds and validates options from <paramref name="settings"/>; an unknown key or a bad value throws an <see cref="ArgumentException"/> naming it.</summary>
    public static DegradationOptions Read(IDictionary<string, object?> settings)
    {
        var unknown = settings.Keys.Where(k => k != "preset" && !Setters.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown degradation option(s) {string.Join(", ", unknown.Select(k => $"'{k}'"))}; valid keys are {string.Join(", ", Keys)}.");
        var options = settings.TryGetValue("preset", out var preset) ? ParsePreset(preset) : new DegradationOptions();
        foreach (var (key, value) in settings)
        {
            if (key == "preset") continue;
            if (value is null) throw new ArgumentException($"Degradation option '{key}' has no value; give one or remove the key.");
            options = Setters[key](options, value);
        }
        options.Validate();
        return options;
    }

    static DegradationOptions ParsePreset(object? value) =>
        value is string name && Presets.TryGetValue(name.Trim(), out var options)
            ? options
            : throw new ArgumentException($"Degradation option 'preset' is '{value}'; known presets: {string.Join(", ", Presets.Keys)}.");

    /// <summary>Parses a kind name such as <c>motion</c> (case-insensitive), as the <c>kind</c> key and the CLI's --kind take it.</summary>
    public static DegradationKind ParseKind(object value) =>
        FindKind(value, Enum.GetValues<DegradationKind>())
            ?? throw new ArgumentException($"Unknown degradation kind '{value}' (option 'kind', or --kind); use one of {Names(Enum.GetValues<DegradationKind>())}.");

    /// <summary>The kind among <paramref name="kinds"/> that <paramref name="name"/> names (case-insensitive, trimmed), or null.</summary>
    static DegradationKind? FindKind(object? name, IEnumerable<DegradationKind> kinds) =>
        kinds.Where(k => k.ToString().Equals(name?.ToString()?.Trim(), StringComparison.OrdinalIgnoreCase)).Cast<DegradationKind?>().FirstOrDefault();

    static string Names(IEnumerable<DegradationKind> kinds) => string.Join(", ", kinds.Select(k => k.ToString().ToLowerInvariant()));

    static BlurMix ParseMix(object value)
    {
        if (value is not IDictionary map)
            throw new ArgumentException($"Degradation option 'mix' must be a map of blur kind to weight, e.g. {{motion: 0.8, linear: 0.2}}; got '{value}'.");
        var mix = new BlurMix(0, 0, 0, 0, 0, 0, 0, 0, 0);
        var kinds = mix.Weights.Select(w => w.Kind).ToList();
        foreach (DictionaryEntry entry in map)
        {
            var kind = FindKind(entry.Key, kinds)
                ?? throw new ArgumentException($"Degradation option 'mix' names '{entry.Key}'; only {Names(kinds)} can be mixed.");
            mix = mix.With(kind, ParseNumber($"mix.{kind.ToString().ToLowerInvariant()}", entry.Value));
        }
        return mix;
    }

    static CameraResponse ParseResponse(object value) =>
        value is string s && s.Trim().Equals("srgb", StringComparison.OrdinalIgnoreCase)
            ? CameraResponse.Srgb
            : TryNumber(value) is { } gamma && gamma > 0
                ? CameraResponse.Gamma(gamma)
                : throw new ArgumentException($"Degradation option 'camera_response' is '{value}'; use srgb or a gamma > 0 such as 2.2.");

    static double ParseProbability(string key, object value) => value switch
    {
        bool b => b ? 1 : 0,
        string s when s.Trim().ToLowerInvariant() is "true" or "on" or "yes" => 1,
        string s when s.Trim().ToLowerInvariant() is "false" or "off" or "no" => 0,
        _ => ParseNumber(key, value),
    };

    static ValueRange ParseRange(string key, object value)
    {
        if (value is string || value is not IEnumerable items) return ValueRange.Fixed(ParseNumber(key, value));
        var bounds = items.Cast<object?>().Select(v => ParseNumber(key, v)).ToList();
        return bounds.Count switch
        {
            1 => ValueRange.Fixed(bounds[0]),
            2 => new ValueRange(bounds[0], bounds[1]),
            _ => throw new ArgumentException($"Degradation option '{key}' needs [min, max] or one number; got {bounds.Count} values."),
        };
    }

    static double ParseNumber(string key, object? value) =>
        TryNumber(value) ?? throw new ArgumentException($"Degradation option '{key}' needs a number; got '{value}'.");

    static double? TryNumber(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}

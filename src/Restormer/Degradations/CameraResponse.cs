using System.Globalization;
using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// An invertible camera response (tone curve) between stored pixel values and linear light. Real blur averages
/// light, not gamma-encoded values, so a physically plausible synthetic blur decodes to linear light, blurs, and
/// encodes again; without this, blurred highlights come out too dark and edges too thin.
/// </summary>
public sealed class CameraResponse
{
    readonly Func<double, double> toLinear;
    readonly Func<double, double> toEncoded;

    CameraResponse(string name, Func<double, double> toLinear, Func<double, double> toEncoded) =>
        (Name, this.toLinear, this.toEncoded) = (name, toLinear, toEncoded);

    /// <summary>The IEC 61966-2-1 sRGB curve (linear toe, 2.4 power), what most photographs are encoded with.</summary>
    public static CameraResponse Srgb { get; } = new("srgb",
        v => v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4),
        l => l <= 0.0031308 ? 12.92 * l : 1.055 * Math.Pow(l, 1 / 2.4) - 0.055);

    /// <summary>A pure power law, linear = value^<paramref name="gamma"/> (γ ≈ 2.2 approximates most displays).</summary>
    public static CameraResponse Gamma(double gamma)
    {
        if (!(gamma > 0)) throw new ArgumentException($"Gamma must be > 0; got {gamma}.", nameof(gamma));
        return new("gamma " + gamma.ToString(CultureInfo.InvariantCulture), v => Math.Pow(v, gamma), l => Math.Pow(l, 1 / gamma));
    }

    /// <summary>"srgb" or "gamma G", for messages and the option file.</summary>
    public string Name { get; }

    /// <summary>Decodes one value in [0, 1] (clamped first) to linear light.</summary>
    public double ToLinear(double value) => toLinear(Math.Clamp(value, 0, 1));

    /// <summary>Encodes one linear value in [0, 1] (clamped first) back to the stored scale.</summary>
    public double ToEncoded(double linear) => toEncoded(Math.Clamp(linear, 0, 1));

    /// <summary>Decodes a float image to linear light (a new Mat).</summary>
    public Mat ToLinear(Mat image) => PixelMap(image, ToLinear);

    /// <summary>Encodes a linear float image back to the stored scale (a new Mat).</summary>
    public Mat ToEncoded(Mat image) => PixelMap(image, ToEncoded);

    /// <inheritdoc/>
    public override string ToString() => Name;

    static Mat PixelMap(Mat image, Func<double, double> map)
    {
        ImageChecks.RequireFloat(image);
        var result = image.Clone(); // a clone is continuous, so its span covers every pixel
        var span = result.AsSpan<float>();
        for (var i = 0; i < span.Length; i++) span[i] = (float)map(span[i]);
        return result;
    }
}

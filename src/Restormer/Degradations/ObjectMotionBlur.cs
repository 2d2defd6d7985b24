using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Blur of a dynamic scene: an object moves in a straight line during the exposure while the background is still or
/// shaken by the camera, so the frame holds two different blurs. Rendered with the layered model of dynamic-scene
/// blur (as in Sellent et al. 2016, "Motion blur rendering"): with the object's matte α, its motion kernel Kₒ and the
/// background's kernel K_b, the exposure is Kₒ∗(α·I) + (1 − Kₒ∗α)·(K_b∗I): the object smears over the background,
/// and the background shows through where the smeared object only partly covers it. The sharp image is the view at
/// mid-exposure (the kernels are centred). What the object hid is approximated by the sharp image itself.
/// </summary>
public static class ObjectMotionBlur
{
    /// <summary>
    /// Renders the blurred view of <paramref name="scene"/> (float, any channels) with a random object whose motion is
    /// a linear kernel with its length in <paramref name="kernelSize"/>; the background is sharp (camera on a tripod)
    /// or shaken by a hand-shake kernel up to half that size, each half of the time.
    /// </summary>
    public static Mat Render(Mat scene, ValueRange kernelSize, Random rng)
    {
        var (min, max) = ((int)kernelSize.Min, (int)kernelSize.Max);
        using var matte = Matte(scene.Width, scene.Height, rng);
        using var objectKernel = BlurKernels.LinearMotion(rng.NextUniform(min - 1, max - 1), 180 * rng.NextDouble(), min);
        using var backgroundKernel = rng.NextBernoulli(0.5) ? BlurKernels.HandShake(rng, rng.NextOdd(Math.Min(min, 5), Math.Max(min | 1, max / 2))) : null;
        return Render(scene, matte, objectKernel, backgroundKernel);
    }

    /// <summary>
    /// Kₒ∗(α·I) + (1 − Kₒ∗α)·(K_b∗I) for the image I = <paramref name="scene"/>, the object's matte α =
    /// <paramref name="matte"/> (CV_32FC1, same size), its kernel Kₒ = <paramref name="objectKernel"/> and the
    /// background's K_b = <paramref name="backgroundKernel"/> (null: a still background).
    /// </summary>
    public static Mat Render(Mat scene, Mat matte, Mat objectKernel, Mat? backgroundKernel)
    {
        ImageChecks.RequireFloat(scene);
        using var alpha = Channels(matte, scene.Channels());
        using var layer = scene.Mul(alpha).ToMat();
        using var movedLayer = ImageDegradations.Convolve(layer, objectKernel);
        using var movedMatte = ImageDegradations.Convolve(matte, objectKernel);
        using var coverage = Channels(movedMatte, scene.Channels());
        using var background = backgroundKernel is null ? scene.Clone() : ImageDegradations.Convolve(scene, backgroundKernel);
        using var uncovered = new Mat();
        Cv2.Subtract(Scalar.All(1), coverage, uncovered);
        using var shown = background.Mul(uncovered).ToMat();
        var result = new Mat();
        Cv2.Add(movedLayer, shown, result);
        return result;
    }

    /// <summary>
    /// A random object's matte (CV_32FC1, 1 inside, 0 outside, anti-aliased edge): a blob whose radius varies smoothly
    /// with the angle, r(θ) = r₀·(1 + Σ aₖ·cos(kθ + φₖ)) for k = 2…4, of 15–40 % of the shorter side, centred anywhere
    /// in the frame (so it may be cut by the border).
    /// </summary>
    public static Mat Matte(int width, int height, Random rng)
    {
        var radius = Math.Min(width, height) * rng.NextUniform(0.15, 0.4);
        var centre = new Point2d(width * rng.NextDouble(), height * rng.NextDouble());
        var harmonics = Enumerable.Range(2, 3).Select(k => (k, Amplitude: rng.NextUniform(0, 0.15), Phase: 2 * Math.PI * rng.NextDouble())).ToArray();
        var outline = Enumerable.Range(0, OutlinePoints).Select(i =>
        {
            var theta = 2 * Math.PI * i / OutlinePoints;
            var r = radius * (1 + harmonics.Sum(h => h.Amplitude * Math.Cos(h.k * theta + h.Phase)));
            // Sub-pixel vertices: FillPoly's shift keeps the outline smooth on small images.
            return new Point((int)Math.Round((centre.X + r * Math.Cos(theta)) * SubPixel), (int)Math.Round((centre.Y + r * Math.Sin(theta)) * SubPixel));
        }).ToArray();
        using var mask = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillPoly(mask, [outline], Scalar.All(255), LineTypes.AntiAlias, SubPixelBits);
        var matte = new Mat();
        mask.ConvertTo(matte, MatType.CV_32FC1, 1 / 255.0);
        return matte;
    }

    const int OutlinePoints = 96;
    const int SubPixelBits = 4;
    const int SubPixel = 1 << SubPixelBits;

    /// <summary><paramref name="plane"/> repeated into <paramref name="channels"/> channels.</summary>
    static Mat Channels(Mat plane, int channels)
    {
        var merged = new Mat();
        Cv2.Merge(Enumerable.Repeat(plane, channels).ToArray(), merged);
        return merged;
    }
}

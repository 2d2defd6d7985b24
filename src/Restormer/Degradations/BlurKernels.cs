using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// The blur kernels (point-spread functions) used to synthesise training pairs: camera shake, linear motion,
/// defocus and Gaussian. Every kernel is a square CV_32FC1 <see cref="Mat"/> of odd size, non-negative and summing
/// to 1, so that blurring preserves the mean brightness and the kernel's centre pixel is well defined.
/// </summary>
public static class BlurKernels
{
    /// <summary>
    /// A camera-shake kernel of exactly <paramref name="size"/>×<paramref name="size"/> pixels: a random
    /// <see cref="CameraShakeTrajectory"/> scaled about its centroid to span the kernel, splatted sub-pixel.
    /// </summary>
    public static Mat CameraShake(Random rng, int size) =>
        KernelRasterizer.Rasterise(CameraShakeTrajectory.Sample(rng), size, size, fill: true);

    /// <summary>
    /// A hand-shake kernel of exactly <paramref name="size"/>×<paramref name="size"/> pixels: a <see cref="SmoothPath"/>
    /// (a smooth curved stroke with speed changes, like recorded camera-shake kernels) scaled to span the kernel,
    /// splatted sub-pixel and softened by a Gaussian of σ 0.3–0.8 px, as the optics and sensor soften real kernels.
    /// </summary>
    public static Mat HandShake(Random rng, int size)
    {
        KernelRasterizer.ValidateSizes(size, size);
        var path = SmoothPath.Sample(rng, 2, HandShakeSteps);
        var points = path.Select(p => new Point2d(p[0], p[1])).ToArray();
        // The stroke spans the kernel less a 2-px rim, so the softening below loses almost nothing off the edges.
        var rim = size > 5 ? 2 : 0;
        using var stroke = KernelRasterizer.Rasterise(points, size - 2 * rim, size - 2 * rim, fill: true);
        using var padded = new Mat();
        Cv2.CopyMakeBorder(stroke, padded, rim, rim, rim, rim, BorderTypes.Constant, Scalar.All(0));
        var soft = new Mat();
        Cv2.GaussianBlur(padded, soft, new Size(0, 0), rng.NextUniform(0.3, 0.8), 0, BorderTypes.Constant);
        soft.ConvertTo(soft, MatType.CV_32FC1, 1 / Cv2.Sum(soft).Val0);
        return soft;
    }

    /// <summary>
    /// A polyline kernel of exactly <paramref name="size"/>×<paramref name="size"/> pixels: 2–4 straight strokes joined
    /// at sharp turns of up to ±150°, each at its own speed (so some strokes are brighter), scaled to span the kernel.
    /// Unlike the smooth paths above, this family has corners; the validation suite uses it as a kernel family the
    /// default model is not trained on.
    /// </summary>
    public static Mat Polyline(Random rng, int size)
    {
        var segments = rng.Next(2, 5);
        var points = new List<Point2d> { new(0, 0) };
        var direction = 2 * Math.PI * rng.NextDouble();
        for (var s = 0; s < segments; s++)
        {
            if (s > 0) direction += rng.NextUniform(-2.6, 2.6);
            var length = rng.NextUniform(0.3, 1);
            var samples = (int)Math.Ceiling(length * 400 / rng.NextUniform(0.5, 2)); // slower strokes get more exposure
            var start = points[^1];
            for (var i = 1; i <= samples; i++)
                points.Add(new Point2d(start.X + Math.Cos(direction) * length * i / samples, start.Y + Math.Sin(direction) * length * i / samples));
        }
        return KernelRasterizer.Rasterise(points, size, size, fill: true);
    }

    /// <summary>Time samples of a hand-shake path: far below a pixel apart even on the largest kernels.</summary>
    const int HandShakeSteps = 1000;

    /// <summary>
    /// Uniform linear motion of <paramref name="length"/> pixels at <paramref name="angleDegrees"/> (counter-clockwise
    /// from the +x axis, with image rows growing downwards), rasterised at sub-pixel precision so lengths and angles
    /// are continuous. The kernel is just large enough for the segment, and at least <paramref name="minSize"/>.
    /// </summary>
    public static Mat LinearMotion(double length, double angleDegrees, int minSize = 1)
    {
        if (!(length >= 0)) throw new ArgumentException($"Linear motion length must be >= 0 pixels; got {length}.", nameof(length));
        var theta = angleDegrees * Math.PI / 180;
        var (dx, dy) = (Math.Cos(theta), -Math.Sin(theta));
        var count = Math.Max(1, (int)Math.Ceiling(length * 8)); // eight samples per pixel of travel
        var samples = new Point2d[count];
        for (var i = 0; i < count; i++)
        {
            var s = ((i + 0.5) / count - 0.5) * length; // midpoints of equal time slices
            samples[i] = new Point2d(s * dx, s * dy);
        }
        var fitting = 2 * (int)Math.Ceiling(length / 2) + 1; // never smaller than the segment needs
        return KernelRasterizer.Rasterise(samples, minSize, Math.Max(minSize, fitting));
    }

    /// <summary>
    /// An out-of-focus disc (the aperture's image) of <paramref name="radius"/> pixels. The edge falls linearly from
    /// 1 to 0 over <paramref name="edgeSoftness"/> pixels across the nominal radius (1 = plain anti-aliasing,
    /// larger = the smoother rim of real lenses), evaluated on a 4×4 sub-pixel grid to avoid aliasing.
    /// </summary>
    public static Mat Defocus(double radius, double edgeSoftness = 1)
    {
        if (!(radius >= 0)) throw new ArgumentException($"Defocus radius must be >= 0 pixels; got {radius}.", nameof(radius));
        if (!(edgeSoftness > 0)) throw new ArgumentException($"Defocus edge softness must be > 0 pixels; got {edgeSoftness}.", nameof(edgeSoftness));
        const int sub = 4;
        var half = (int)Math.Ceiling(radius + edgeSoftness / 2);
        var size = 2 * half + 1;
        var weights = new double[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var sum = 0.0;
                for (var j = 0; j < sub; j++)
                    for (var i = 0; i < sub; i++)
                    {
                        var d = Math.Sqrt(Square(x - half + (i + 0.5) / sub - 0.5) + Square(y - half + (j + 0.5) / sub - 0.5));
                        sum += Math.Clamp((radius - d) / edgeSoftness + 0.5, 0, 1);
                    }
                weights[y * size + x] = sum;
            }
        return ToKernel(weights, size);
    }

    /// <summary>An isotropic Gaussian of standard deviation <paramref name="sigma"/> pixels, truncated at 3σ (σ = 0 gives the identity).</summary>
    public static Mat Gaussian(double sigma)
    {
        if (!(sigma >= 0)) throw new ArgumentException($"Gaussian sigma must be >= 0 pixels; got {sigma}.", nameof(sigma));
        var half = (int)Math.Ceiling(3 * sigma);
        var size = 2 * half + 1;
        var weights = new double[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                weights[y * size + x] = sigma == 0 ? 1 : Math.Exp(-(Square(x - half) + Square(y - half)) / (2 * sigma * sigma));
        return ToKernel(weights, size);
    }

    /// <summary>Normalises <paramref name="weights"/> (row-major, size×size) to sum 1 and copies them into a CV_32FC1 Mat.</summary>
    internal static Mat ToKernel(double[] weights, int size)
    {
        var total = weights.Sum();
        if (!(total > 0)) throw new InvalidOperationException("A blur kernel came out empty; this is a bug in the kernel generator.");
        var kernel = new Mat(size, size, MatType.CV_32FC1);
        var span = kernel.AsSpan<float>();
        for (var i = 0; i < weights.Length; i++) span[i] = (float)(weights[i] / total);
        return kernel;
    }

    static double Square(double v) => v * v;
}

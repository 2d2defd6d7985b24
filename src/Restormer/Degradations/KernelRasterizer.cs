using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Turns a motion path into a blur kernel: each time sample deposits an equal share of the exposure, split over
/// its four neighbouring pixels with bilinear weights (sub-pixel splatting, which keeps the kernel's centre of mass
/// exactly at the path's). The kernel is centred on the path's centroid so that blurring does not shift the image,
/// which keeps the blurred/sharp training pairs aligned.
/// </summary>
public static class KernelRasterizer
{
    /// <summary>
    /// Rasterises <paramref name="samples"/> (positions at equal time steps, in pixels) into an odd-sized,
    /// normalised CV_32FC1 kernel. The size follows the path's extent around its centroid, padded up to
    /// <paramref name="minSize"/>; a path too large for <paramref name="maxSize"/> is scaled down about its
    /// centroid to fit. With <paramref name="fill"/> the path is scaled (up or down) to span exactly
    /// <paramref name="maxSize"/>, which is how a kernel of a requested size is made from any trajectory.
    /// </summary>
    public static Mat Rasterise(IReadOnlyList<Point2d> samples, int minSize, int maxSize, bool fill = false)
    {
        ValidateSizes(minSize, maxSize);
        if (samples.Count == 0) throw new ArgumentException("A motion path needs at least one sample.", nameof(samples));
        var (centre, radius) = CentroidAndRadius(samples);
        var maxHalf = (maxSize - 1) / 2;
        var scale = radius > 0 && (fill || radius > maxHalf) ? maxHalf / radius : 1.0;
        var half = Math.Max((minSize - 1) / 2, (int)Math.Ceiling(radius * scale - 1e-9));
        var size = 2 * half + 1;
        var weights = new double[size * size];
        foreach (var p in samples)
            Splat(weights, size, half + (p.X - centre.X) * scale, half + (p.Y - centre.Y) * scale);
        return BlurKernels.ToKernel(weights, size);
    }

    /// <summary>Throws unless 1 ≤ min ≤ max and both are odd (a kernel needs a centre pixel).</summary>
    internal static void ValidateSizes(int minSize, int maxSize)
    {
        if (minSize < 1 || maxSize < minSize || minSize % 2 == 0 || maxSize % 2 == 0)
            throw new ArgumentException($"Kernel sizes must be odd with 1 <= min <= max; got min {minSize}, max {maxSize}.");
    }

    static (Point2d Centre, double Radius) CentroidAndRadius(IReadOnlyList<Point2d> samples)
    {
        double sx = 0, sy = 0;
        foreach (var p in samples) { sx += p.X; sy += p.Y; }
        var centre = new Point2d(sx / samples.Count, sy / samples.Count);
        var radius = 0.0;
        foreach (var p in samples)
            radius = Math.Max(radius, Math.Max(Math.Abs(p.X - centre.X), Math.Abs(p.Y - centre.Y)));
        return (centre, radius);
    }

    static void Splat(double[] weights, int size, double x, double y)
    {
        // The fit puts every sample inside [0, size-1]; the clamp only absorbs floating-point rounding at the edge.
        x = Math.Clamp(x, 0, size - 1);
        y = Math.Clamp(y, 0, size - 1);
        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        Add(weights, size, x0, y0, (1 - fx) * (1 - fy));
        Add(weights, size, x0 + 1, y0, fx * (1 - fy));
        Add(weights, size, x0, y0 + 1, (1 - fx) * fy);
        Add(weights, size, x0 + 1, y0 + 1, fx * fy);
    }

    static void Add(double[] weights, int size, int x, int y, double w)
    {
        if (w <= 0) return; // a zero share falls just outside a kernel fitted exactly to the path
        weights[y * size + x] += w;
    }
}

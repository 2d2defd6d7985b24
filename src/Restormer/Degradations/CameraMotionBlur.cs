using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Spatially varying blur from a shaking camera, the image-formation model behind real camera-shake datasets
/// (Whyte et al. 2012; Köhler et al. 2012): during the exposure the camera turns about all three axes along a smooth
/// <see cref="SmoothPath"/>, each instant sees the scene through the homography H = K·R·K⁻¹ of that rotation, and the
/// sensor averages those views in linear light. Pitch and yaw shift the frame; roll turns it about the principal point,
/// which is placed at random up to a frame-width away from the image's centre (the image may be a crop of a larger
/// frame), so the blur's length and direction change across the image. The sharp image is the view at mid-exposure.
/// </summary>
public static class CameraMotionBlur
{
    /// <summary>
    /// Renders the blurred view of <paramref name="linear"/> (float, linear light, any channels) for a random camera
    /// path whose largest displacement anywhere in the image, from the mid-exposure view, is
    /// <paramref name="extent"/>/2 pixels (so blur trails span about <paramref name="extent"/> pixels).
    /// </summary>
    public static Mat Render(Mat linear, double extent, Random rng)
    {
        ImageChecks.RequireFloat(linear);
        if (!(extent >= 0)) throw new ArgumentException($"The camera-motion blur extent must be >= 0 pixels; got {extent}.", nameof(extent));
        var frame = Math.Max(Math.Max(linear.Width, linear.Height), 1000.0); // the virtual full frame's width
        var focal = frame * rng.NextUniform(0.6, 1.6);                          // about 30–80° of view
        var centre = new Point2d(
            linear.Width / 2.0 + frame * rng.NextUniform(-0.5, 0.5),
            linear.Height / 2.0 + frame * rng.NextUniform(-0.5, 0.5));
        var samples = Math.Clamp((int)Math.Ceiling(2 * extent), 16, 64);
        var path = SmoothPath.Sample(rng, 3, samples);
        var roll = rng.NextUniform(0, 2);                           // weight of roll against pitch and yaw
        var middle = path[samples / 2];
        var rotations = path.Select(p => new[] { p[0] - middle[0], p[1] - middle[1], roll * (p[2] - middle[2]) }).ToArray();
        // Measure at a millradian scale, where displacement is linear in the angles, then scale to the extent.
        var peak = rotations.Max(r => r.Max(Math.Abs));
        if (peak > 0) rotations = rotations.Select(r => r.Select(a => a * 1e-3 / peak).ToArray()).ToArray();

        var probes = Probes(linear.Width, linear.Height);
        var largest = rotations.Max(r => probes.Max(p => Displacement(Homography(r, focal, centre), p)));
        var scale = largest > 0 ? extent / 2 / largest : 0; // small angles: displacement is close to linear in them

        var sum = new Mat(linear.Size(), linear.Type(), Scalar.All(0));
        using var view = new Mat();
        foreach (var r in rotations)
        {
            using var h = Homography(r.Select(a => a * scale).ToArray(), focal, centre);
            Cv2.WarpPerspective(linear, view, h, linear.Size(), InterpolationFlags.Linear, BorderTypes.Reflect101);
            Cv2.Add(sum, view, sum);
        }
        sum.ConvertTo(sum, sum.Type(), 1.0 / rotations.Length);
        return sum;
    }

    /// <summary>K·R·K⁻¹ for the rotation vector <paramref name="rotation"/> (radians, Rodrigues form).</summary>
    static Mat Homography(double[] rotation, double focal, Point2d centre)
    {
        using var vector = Mat.FromArray(rotation);
        using var r = new Mat();
        Cv2.Rodrigues(vector, r);
        using var k = Mat.FromArray(new double[,] { { focal, 0, centre.X }, { 0, focal, centre.Y }, { 0, 0, 1 } });
        using var kInverse = k.Inv();
        using var kr = k * r;
        return (kr * kInverse).ToMat();
    }

    /// <summary>How far <paramref name="h"/> moves the pixel <paramref name="p"/>; disposes <paramref name="h"/>.</summary>
    static double Displacement(Mat h, Point2d p)
    {
        using (h)
        {
            var (x, y, w) = (
                h.At<double>(0, 0) * p.X + h.At<double>(0, 1) * p.Y + h.At<double>(0, 2),
                h.At<double>(1, 0) * p.X + h.At<double>(1, 1) * p.Y + h.At<double>(1, 2),
                h.At<double>(2, 0) * p.X + h.At<double>(2, 1) * p.Y + h.At<double>(2, 2));
            return Math.Sqrt(Math.Pow(x / w - p.X, 2) + Math.Pow(y / w - p.Y, 2));
        }
    }

    /// <summary>The corners, edge midpoints and centre: where a rotation's displacement peaks within the image.</summary>
    static Point2d[] Probes(int width, int height) =>
        [.. from fy in new[] { 0.0, 0.5, 1.0 } from fx in new[] { 0.0, 0.5, 1.0 } select new Point2d(fx * (width - 1), fy * (height - 1))];
}

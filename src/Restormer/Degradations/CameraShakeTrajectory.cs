using System.Numerics;
using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>
/// Random camera-shake trajectories after Boracchi &amp; Foi (2012), "Modeling the performance of image restoration
/// from motion blur": a particle moves at constant speed (so equal exposures give equal path lengths) while its
/// velocity is perturbed at every step by Gaussian shake, pulled back towards the start by an inertial
/// (centripetal) term, and now and then reversed by an impulsive jerk, as when the shutter button is pressed or the
/// photographer over-corrects. The positions are sub-pixel; <see cref="KernelRasterizer"/> turns them into a kernel.
/// </summary>
public static class CameraShakeTrajectory
{
    /// <summary>Time samples per trajectory: fine enough that consecutive positions are far below a pixel apart.</summary>
    public const int Steps = 2000;

    /// <summary>Path length in pixels of the generated trajectory before it is scaled to a kernel size; the
    /// perturbation strengths below are calibrated to this scale, as in the paper's 64-pixel canvas.</summary>
    public const double PathLength = 60;

    /// <summary>
    /// Draws a trajectory: positions at equal slices of the exposure. Per trajectory the model's parameters are
    /// drawn as in the paper and DeblurGAN's generator: centripetal (inertia towards the start) in [0, 0.7), Gaussian
    /// shake in [0, 10), impulse frequency in [0, 0.2) scaled by the anxiety, a uniform initial direction, and the
    /// anxiety (overall perturbation strength) log-uniform in [0.001, 0.01], the range DeblurGAN blurs with (the
    /// paper's [0, 0.1) mostly gives tangles unlike real shake). Only the first fraction of the exposure, uniform in
    /// [0.25, 1], is kept, as the paper does to model shorter exposures; this mixes simple strokes with longer paths.
    /// </summary>
    public static Point2d[] Sample(Random rng)
    {
        var anxiety = 0.001 * Math.Pow(10, rng.NextDouble());
        var centripetal = 0.7 * rng.NextDouble();
        var gaussianShake = 10 * rng.NextDouble();
        var impulseProbability = 0.2 * rng.NextDouble() * anxiety;
        var step = PathLength / (Steps - 1);
        var velocity = Complex.FromPolarCoordinates(step, 2 * Math.PI * rng.NextDouble());

        var exposure = rng.NextUniform(0.25, 1);
        var points = new Point2d[(int)Math.Ceiling(exposure * Steps)];
        var position = Complex.Zero;
        for (var t = 1; t < points.Length; t++)
        {
            var jerk = rng.NextDouble() < impulseProbability
                ? 2 * velocity * Complex.FromPolarCoordinates(1, Math.PI + rng.NextDouble() - 0.5)
                : Complex.Zero;
            var shake = new Complex(rng.NextGaussian(), rng.NextGaussian());
            var drift = anxiety * (gaussianShake * shake - centripetal * position) * step;
            velocity += jerk + drift;
            velocity *= step / Math.Max(velocity.Magnitude, 1e-12);
            position += velocity;
            points[t] = new Point2d(position.Real, position.Imaginary);
        }
        return points;
    }
}

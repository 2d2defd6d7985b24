namespace Restormer.Degradations;

/// <summary>
/// Smooth random paths in any number of dimensions, the shape of recorded hand shake (Levin et al. 2009; Köhler et
/// al. 2012): the hand's velocity is a slow, smooth signal, so the path is a curved stroke that speeds up and slows
/// down, and the exposure piles up where it slows (the bright knots of a real kernel). Each coordinate's velocity is a
/// random drift plus a few random low-frequency cosines whose amplitudes fall as 1/k^1.5 with the harmonic k, over
/// up to two cycles per exposure; the position is its running sum at equal time steps.
/// </summary>
public static class SmoothPath
{
    /// <summary>Harmonics per coordinate: enough for S-curves and hooks, few enough to stay smooth.</summary>
    public const int Harmonics = 4;

    /// <summary>
    /// Draws <paramref name="steps"/> positions (index [step][coordinate]) of a path with <paramref name="dimensions"/>
    /// coordinates, starting at the origin, in arbitrary units (callers scale it). <paramref name="drift"/> is the
    /// largest ratio of steady drift to oscillation: 0 gives closed wiggles, large values near-straight strokes.
    /// </summary>
    public static double[][] Sample(Random rng, int dimensions, int steps, double drift = 2)
    {
        if (dimensions < 1 || steps < 2)
            throw new ArgumentException($"A smooth path needs at least one dimension and two steps; got {dimensions} and {steps}.");
        var cycles = rng.NextUniform(0.3, 2); // how many slow oscillations fit into the exposure
        var coefficients = new (double Drift, double[] Amplitude, double[] Phase)[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            var amplitude = new double[Harmonics];
            var phase = new double[Harmonics];
            for (var k = 0; k < Harmonics; k++)
            {
                amplitude[k] = rng.NextGaussian() / Math.Pow(k + 1, 1.5);
                phase[k] = 2 * Math.PI * rng.NextDouble();
            }
            coefficients[d] = (drift * rng.NextDouble() * rng.NextGaussian(), amplitude, phase);
        }

        var path = new double[steps][];
        path[0] = new double[dimensions];
        for (var s = 1; s < steps; s++)
        {
            var t = (s - 0.5) / (steps - 1);
            var position = path[s] = new double[dimensions];
            for (var d = 0; d < dimensions; d++)
            {
                var (steady, amplitude, phase) = coefficients[d];
                var velocity = steady;
                for (var k = 0; k < Harmonics; k++)
                    velocity += amplitude[k] * Math.Cos(2 * Math.PI * (k + 1) * cycles * t + phase[k]);
                position[d] = path[s - 1][d] + velocity / (steps - 1);
            }
        }
        return path;
    }
}

namespace Restormer.Degradations;

/// <summary>
/// Draws the random quantities the degradations need from a caller-supplied <see cref="Random"/>, so that a
/// seeded generator makes every sample reproducible (nothing here touches OpenCV's or a global generator).
/// </summary>
public static class RandomSampling
{
    /// <summary>A standard normal draw (Box–Muller), for noise and trajectory perturbations.</summary>
    public static double NextGaussian(this Random rng)
    {
        var u1 = 1.0 - rng.NextDouble(); // in (0, 1], so the logarithm is finite
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A uniform draw in [<paramref name="min"/>, <paramref name="max"/>]; returns min when the range is a single value.</summary>
    public static double NextUniform(this Random rng, double min, double max) =>
        max <= min ? min : min + (max - min) * rng.NextDouble();

    /// <summary>A uniform odd integer in [<paramref name="min"/>, <paramref name="max"/>] (both rounded inwards to odd values).</summary>
    public static int NextOdd(this Random rng, int min, int max)
    {
        var lo = min | 1;
        var hi = (max & 1) == 1 ? max : max - 1;
        if (hi < lo) throw new ArgumentException($"No odd integer lies in [{min}, {max}].");
        return lo + 2 * rng.Next((hi - lo) / 2 + 1);
    }

    /// <summary>True with probability <paramref name="p"/> (no draw is spent when p is 0 or 1, keeping streams stable).</summary>
    public static bool NextBernoulli(this Random rng, double p) =>
        p >= 1 || (p > 0 && rng.NextDouble() < p);
}

namespace Restormer.Training.Data;

/// <summary>Normal deviates from a <see cref="Random"/> (Box–Muller), so seeded runs repeat on every platform.</summary>
public static class GaussianRandom
{
    /// <summary>One N(0, 1) value.</summary>
    public static double Next(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Fills <paramref name="values"/> with N(0, σ²) values, two per pair of uniforms.</summary>
    public static void Fill(Span<float> values, double sigma, Random rng)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            var radius = sigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()));
            var angle = 2 * Math.PI * rng.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < values.Length)
                values[i + 1] = (float)(radius * Math.Sin(angle));
        }
    }
}

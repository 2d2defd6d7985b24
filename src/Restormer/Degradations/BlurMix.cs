namespace Restormer.Degradations;

/// <summary>
/// Relative weights of the blur kinds that <see cref="DegradationKind.Mixed"/> draws from; weights need not sum
/// to 1, and a zero weight leaves a kind out.
/// </summary>
public sealed record BlurMix(double Motion = 1, double Linear = 1, double Defocus = 1, double Gaussian = 1,
    double Shake = 0, double Camera = 0, double None = 0, double Polyline = 0, double Object = 0)
{
    /// <summary>Each blur kind with how to read and set its weight: the one list of the kinds a mix draws.</summary>
    static readonly (DegradationKind Kind, Func<BlurMix, double> Get, Func<BlurMix, double, BlurMix> Set)[] Kinds =
    [
        (DegradationKind.Motion, m => m.Motion, (m, w) => m with { Motion = w }),
        (DegradationKind.Linear, m => m.Linear, (m, w) => m with { Linear = w }),
        (DegradationKind.Defocus, m => m.Defocus, (m, w) => m with { Defocus = w }),
        (DegradationKind.Gaussian, m => m.Gaussian, (m, w) => m with { Gaussian = w }),
        (DegradationKind.Shake, m => m.Shake, (m, w) => m with { Shake = w }),
        (DegradationKind.Camera, m => m.Camera, (m, w) => m with { Camera = w }),
        (DegradationKind.None, m => m.None, (m, w) => m with { None = w }),
        (DegradationKind.Polyline, m => m.Polyline, (m, w) => m with { Polyline = w }),
        (DegradationKind.Object, m => m.Object, (m, w) => m with { Object = w }),
    ];

    /// <summary>The blur kinds with their weights, in a fixed order.</summary>
    public IEnumerable<(DegradationKind Kind, double Weight)> Weights => Kinds.Select(k => (k.Kind, k.Get(this)));

    /// <summary>This mix with <paramref name="kind"/> weighted <paramref name="weight"/>; throws for a kind that is not a blur.</summary>
    public BlurMix With(DegradationKind kind, double weight) =>
        Array.Find(Kinds, k => k.Kind == kind).Set?.Invoke(this, weight)
        ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind a blur mix can draw");

    /// <summary>Draws a blur kind with probability proportional to its weight.</summary>
    public DegradationKind Pick(Random rng)
    {
        var u = rng.NextDouble() * Weights.Sum(w => w.Weight);
        var last = DegradationKind.Motion;
        foreach (var (kind, weight) in Weights)
        {
            if (weight <= 0) continue;
            if (u < weight) return kind;
            u -= weight;
            last = kind;
        }
        return last; // only reached through rounding at the top end
    }

    /// <summary>Throws unless every weight is finite and non-negative and at least one is positive.</summary>
    public void Validate()
    {
        if (Weights.Any(w => !(w.Weight >= 0) || double.IsInfinity(w.Weight)) || !Weights.Any(w => w.Weight > 0))
            throw new ArgumentException($"Degradation option 'mix' is {this}; weights must be >= 0 with at least one > 0.");
    }
}

namespace Restormer.Degradations;

/// <summary>
/// Relative weights of the blur kinds that <see cref="DegradationKind.Mixed"/> draws from; weights need not sum
/// to 1, and a zero weight leaves a kind out.
/// </summary>
public sealed record BlurMix(double Motion = 1, double Linear = 1, double Defocus = 1, double Gaussian = 1,
    double Shake = 0, double Camera = 0, double None = 0, double Polyline = 0, double Object = 0)
{
    /// <summary>The blur kinds with their weights, in a fixed order.</summary>
    public IEnumerable<(DegradationKind Kind, double Weight)> Weights =>
        [(DegradationKind.Motion, Motion), (DegradationKind.Linear, Linear), (DegradationKind.Defocus, Defocus), (DegradationKind.Gaussian, Gaussian),
         (DegradationKind.Shake, Shake), (DegradationKind.Camera, Camera), (DegradationKind.None, None),
         (DegradationKind.Polyline, Polyline), (DegradationKind.Object, Object)];

    /// <summary>This mix with <paramref name="kind"/> weighted <paramref name="weight"/>; throws for a kind that is not a blur.</summary>
    public BlurMix With(DegradationKind kind, double weight) => kind switch
    {
        DegradationKind.Motion => this with { Motion = weight },
        DegradationKind.Linear => this with { Linear = weight },
        DegradationKind.Defocus => this with { Defocus = weight },
        DegradationKind.Gaussian => this with { Gaussian = weight },
        DegradationKind.Shake => this with { Shake = weight },
        DegradationKind.Camera => this with { Camera = weight },
        DegradationKind.None => this with { None = weight },
        DegradationKind.Polyline => this with { Polyline = weight },
        DegradationKind.Object => this with { Object = weight },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind a blur mix can draw"),
    };

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

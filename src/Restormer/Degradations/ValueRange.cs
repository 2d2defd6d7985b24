using System.Globalization;

namespace Restormer.Degradations;

/// <summary>
/// A closed interval [<see cref="Min"/>, <see cref="Max"/>] that a degradation parameter is drawn from uniformly,
/// so one option describes both a fixed value (Min = Max) and a training distribution.
/// </summary>
public readonly record struct ValueRange(double Min, double Max)
{
    /// <summary>A range holding only <paramref name="value"/>.</summary>
    public static ValueRange Fixed(double value) => new(value, value);

    /// <summary>A uniform draw from the range.</summary>
    public double Sample(Random rng) => rng.NextUniform(Min, Max);

    /// <summary>Throws, naming <paramref name="option"/>, unless lower ≤ Min ≤ Max ≤ upper.</summary>
    public void Validate(string option, double lower, double upper)
    {
        if (!(Min <= Max) || Min < lower || Max > upper)
            throw new ArgumentException(
                $"Degradation option '{option}' is {this}; it needs {Format(lower)} <= min <= max <= {Format(upper)}.");
    }

    /// <summary>"[min, max]", the form the option file uses.</summary>
    public override string ToString() => $"[{Format(Min)}, {Format(Max)}]";

    static string Format(double v) => double.IsPositiveInfinity(v) ? "inf" : v.ToString("G6", CultureInfo.InvariantCulture);
}

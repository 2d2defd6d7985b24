using System.CommandLine;
using System.Numerics;

namespace Restormer.Cli;

/// <summary>
/// Allowed ranges of numeric options, checked while the command line is parsed, before any work: a value outside
/// (or not finite) is one line naming the option and its range, exit code 2 (see <see cref="RestormerApp.Run(string[], System.CommandLine.InvocationConfiguration?)"/>).
/// </summary>
public static class OptionRange
{
    /// <summary>Most CPU threads accepted (four per core): 100,000 threads hung the machine.</summary>
    public static int MaxThreads => Restormer.Inference.RestoreOptions.MaxThreads;

    /// <summary>Requires <paramref name="min"/> ≤ value ≤ <paramref name="max"/>.</summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T max, string? note = null) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (Value<T>(result) is T value) Check(result, value, min, max, note);
        });
        return option;
    }

    /// <summary>Requires <paramref name="min"/> ≤ value ≤ <paramref name="max"/> when the option is given.</summary>
    public static Option<T?> Within<T>(this Option<T?> option, T min, T max, string? note = null) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (Value<T?>(result) is T value) Check(result, value, min, max, note);
        });
        return option;
    }

    /// <summary>Requires one of <paramref name="allowed"/>.</summary>
    public static Option<T> OneOf<T>(this Option<T> option, params T[] allowed) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (Value<T>(result) is T value && !allowed.Contains(value))
                result.AddError($"{option.Name} must be one of {string.Join(", ", allowed)}; got {value}.");
        });
        return option;
    }

    /// <summary>Requires a multiple of <paramref name="step"/> when the option is given.</summary>
    public static Option<int?> MultipleOf(this Option<int?> option, int step)
    {
        option.Validators.Add(result =>
        {
            if (Value<int?>(result) is int value && value % step != 0)
                result.AddError($"{option.Name} must be a multiple of {step}; got {value}.");
        });
        return option;
    }

    /// <summary>The parsed value, or null when the text is not a number (that error is reported by the parser itself).</summary>
    private static object? Value<T>(System.CommandLine.Parsing.OptionResult result)
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Check<T>(System.CommandLine.Parsing.OptionResult result, T value, T min, T max, string? note) where T : struct, INumber<T>
    {
        // Written so that NaN fails too.
        if (!(value >= min && value <= max))
            result.AddError($"{result.Option.Name} must be from {min} to {max}{(note is null ? "" : $" ({note})")}; got {value}.");
    }
}

namespace Restormer.Training.Options;

/// <summary>A bad or missing training option; the message names the option file, the option and the fix. An
/// <see cref="ArgumentException"/>, so command-line front ends report it like any other bad argument.</summary>
public sealed class OptionException : ArgumentException
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public OptionException(string message, Exception? inner = null) : base(message, inner) { }
}

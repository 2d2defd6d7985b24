namespace Restormer.Training.Options;

/// <summary>A bad or missing training option; the message names the option file, the option and the fix.</summary>
public sealed class OptionException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public OptionException(string message, Exception? inner = null) : base(message, inner) { }
}

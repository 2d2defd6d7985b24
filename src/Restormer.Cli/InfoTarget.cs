namespace Restormer.Cli;

/// <summary>Destinations of <see cref="Cli.Info"/>: the output, the error writer (the output carries data), or nowhere (<c>--quiet</c>).</summary>
public enum InfoTarget { Output, Error, Nowhere }

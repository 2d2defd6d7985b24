namespace Restormer.Metrics;

/// <summary>A restored image and its reference, matched by file name without extension (<see cref="Name"/>).</summary>
public sealed record ImagePair(string Name, string RestoredPath, string ReferencePath);

namespace Restormer.Training;

/// <summary>Where a run stands after an iteration, for progress displays.</summary>
public sealed record TrainingProgress
{
    /// <summary>The iteration just finished (1-based).</summary>
    public required long Iteration { get; init; }
    /// <summary>The last iteration of the run.</summary>
    public required long TotalIterations { get; init; }
    /// <summary>The epoch it belongs to (0-based).</summary>
    public required long Epoch { get; init; }
    /// <summary>Its L1 loss.</summary>
    public required double Loss { get; init; }
    /// <summary>Its learning rate.</summary>
    public required double LearningRate { get; init; }
    /// <summary>Iterations per second over the recent window.</summary>
    public required double IterationsPerSecond { get; init; }
    /// <summary>Estimated time to the end at that speed.</summary>
    public required TimeSpan Eta { get; init; }
    /// <summary>Its progressive-learning stage.</summary>
    public required ProgressiveStage Stage { get; init; }
}

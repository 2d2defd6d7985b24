namespace Restormer.Training.Options;

/// <summary>The <c>train.scheduler</c> section: cosine annealing with restarts, one eta_min per period.</summary>
public sealed record SchedulerOptions
{
    /// <summary><c>CosineAnnealingRestartCyclicLR</c> or <c>CosineAnnealingRestartLR</c> (one eta_min for all periods).</summary>
    public string Type { get; init; } = "CosineAnnealingRestartCyclicLR";
    /// <summary>Length of each cosine cycle in iterations.</summary>
    public int[] Periods { get; init; } = [];
    /// <summary>Factor on the base learning rate at the start of each cycle.</summary>
    public double[] RestartWeights { get; init; } = [1];
    /// <summary>Learning rate reached at the end of each cycle.</summary>
    public double[] EtaMins { get; init; } = [0];

    internal static SchedulerOptions Parse(OptionMap map)
    {
        var type = map.Require<string>("type");
        var periods = map.Require<int[]>("periods");
        var weights = map.Get("restart_weights", new[] { 1.0 });
        double[] etaMins = type switch
        {
            "CosineAnnealingRestartCyclicLR" => map.Get("eta_mins", new[] { 0.0 }),
            "CosineAnnealingRestartLR" => Enumerable.Repeat(map.Get("eta_min", 0.0), periods.Length).ToArray(),
            _ => throw new OptionException($"{map.Source}: scheduler '{map.PathOf("type")}: {type}' is not supported; use CosineAnnealingRestartCyclicLR (as Restormer) or CosineAnnealingRestartLR."),
        };
        if (periods.Length == 0 || periods.Any(p => p <= 0))
            throw new OptionException($"{map.Source}: '{map.PathOf("periods")}' must list positive cycle lengths.");
        if (weights.Length != periods.Length)
            throw new OptionException($"{map.Source}: '{map.PathOf("restart_weights")}' needs one entry per period ({periods.Length}), it has {weights.Length}.");
        if (etaMins.Length != periods.Length)
            throw new OptionException($"{map.Source}: '{map.PathOf("eta_mins")}' needs one entry per period ({periods.Length}), it has {etaMins.Length}.");
        return new SchedulerOptions { Type = type, Periods = periods, RestartWeights = weights, EtaMins = etaMins };
    }

    /// <summary>The reference fails with an index error once the iteration passes the last period; say so up front.</summary>
    internal void CheckCovers(int totalIter, OptionMap trainMap)
    {
        long sum = Periods.Sum(p => (long)p);
        if (sum < totalIter - 1)
            throw new OptionException($"{trainMap.Source}: the scheduler periods add up to {sum} iterations but total_iter is {totalIter}; make '{trainMap.PathOf("scheduler.periods")}' cover total_iter.");
    }
}

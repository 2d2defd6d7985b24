using Restormer.Training.Options;

namespace Restormer.Training;

/// <summary>
/// The learning rate of every iteration, computed directly from the iteration number (so a resumed run follows the
/// same curve): the reference's <c>CosineAnnealingRestartCyclicLR</c> plus its optional linear warm-up. Within
/// period i (running sums c_i of <c>periods</c>), with t the scheduler step,
/// lr = eta_min_i + w_i · ½ (base − eta_min_i)(1 + cos(π (t − c_{i−1}) / period_i)).
/// The reference steps the scheduler before every iteration but the first, so iteration n uses t = n − 1.
/// </summary>
public sealed class LearningRateSchedule
{
    readonly SchedulerOptions options;
    readonly long[] cumulative;

    /// <summary>The schedule for <paramref name="baseLearningRate"/> (<c>optim_g.lr</c>).</summary>
    public LearningRateSchedule(SchedulerOptions options, double baseLearningRate, int warmupIter = -1)
    {
        this.options = options;
        BaseLearningRate = baseLearningRate;
        WarmupIter = warmupIter;
        long sum = 0;
        cumulative = options.Periods.Select(p => sum += p).ToArray();
    }

    /// <summary>The optimiser's initial learning rate.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Iterations of linear warm-up (-1: none).</summary>
    public int WarmupIter { get; }

    /// <summary>The learning rate used in (1-based) <paramref name="iteration"/>.</summary>
    public double At(long iteration)
    {
        if (iteration < WarmupIter)
            return BaseLearningRate / WarmupIter * iteration;
        return AtStep(iteration - 1);
    }

    /// <summary>The scheduler's value after <paramref name="step"/> steps (its <c>last_epoch</c>).</summary>
    public double AtStep(long step)
    {
        var i = Array.FindIndex(cumulative, c => step <= c);
        if (i < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The scheduler periods end at step {cumulative[^1]}.");
        var restart = i == 0 ? 0 : cumulative[i - 1];
        var etaMin = options.EtaMins[i];
        var progress = (double)(step - restart) / options.Periods[i];
        return etaMin + options.RestartWeights[i] * 0.5 * (BaseLearningRate - etaMin) * (1 + Math.Cos(Math.PI * progress));
    }
}

using Restormer.Training;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

public class TrainingScheduleTests
{
    static readonly SchedulerOptions TwoCycles = new()
    {
        Periods = [4, 6],
        RestartWeights = [1, 0.5],
        EtaMins = [1e-4, 1e-6],
    };

    [Fact]
    public void MatchesTheCosineRestartFormulaWrittenOut()
    {
        var schedule = new LearningRateSchedule(TwoCycles, 3e-4);
        // Iteration n uses scheduler step t = n − 1. Cycle 1 covers t = 0..4, cycle 2 t = 5..10 (restart at 4).
        double Cycle1(int t) => 1e-4 + 1.0 * 0.5 * (3e-4 - 1e-4) * (1 + Math.Cos(Math.PI * t / 4));
        double Cycle2(int t) => 1e-6 + 0.5 * 0.5 * (3e-4 - 1e-6) * (1 + Math.Cos(Math.PI * (t - 4) / 6));
        for (int n = 1; n <= 5; n++)
            Assert.Equal(Cycle1(n - 1), schedule.At(n), 15);
        for (int n = 6; n <= 10; n++)
            Assert.Equal(Cycle2(n - 1), schedule.At(n), 15);
    }

    [Fact]
    public void MatchesTheReferenceSchedulerStepByStep()
    {
        // Learning rates the reference CosineAnnealingRestartCyclicLR (PyTorch 1.13) set in iterations 1..10, stepping
        // the scheduler before every iteration but the first as basicsr/train.py does.
        double[] reference =
        [
            0.0003, 0.0002707106781186547, 0.00019999999999999998, 0.00012928932188134524, 0.0001,
            0.0001404853989328868, 0.00011312499999999997, 7.574999999999998e-05, 3.8375000000000004e-05, 1.1014601067113206e-05,
        ];
        var schedule = new LearningRateSchedule(TwoCycles, 3e-4);
        for (int n = 1; n <= reference.Length; n++)
            Assert.Equal(reference[n - 1], schedule.At(n), 15);
    }

    [Fact]
    public void RestormerDeblurringRecipeHoldsThenAnneals()
    {
        var recipe = new SchedulerOptions { Periods = [92000, 208000], RestartWeights = [1, 1], EtaMins = [3e-4, 1e-6] };
        var schedule = new LearningRateSchedule(recipe, 3e-4);

        Assert.Equal(3e-4, schedule.At(1), 15);
        Assert.Equal(3e-4, schedule.At(50000), 15);
        Assert.Equal(3e-4, schedule.At(92001), 15);
        Assert.Equal(1e-6 + 0.5 * (3e-4 - 1e-6), schedule.At(92001 + 104000), 15);
        Assert.Equal(1e-6 + 0.5 * (3e-4 - 1e-6) * (1 + Math.Cos(Math.PI * 207999 / 208000)), schedule.At(300000), 15);
        Assert.True(schedule.At(300000) < 1.01e-6);
    }

    [Fact]
    public void WarmupRisesLinearlyThenJoinsTheCurve()
    {
        var schedule = new LearningRateSchedule(TwoCycles, 3e-4, warmupIter: 4);
        Assert.Equal(3e-4 / 4 * 1, schedule.At(1), 15);
        Assert.Equal(3e-4 / 4 * 3, schedule.At(3), 15);
        Assert.Equal(new LearningRateSchedule(TwoCycles, 3e-4).At(4), schedule.At(4), 15);
    }

    [Fact]
    public void PastTheLastPeriodIsAnError()
    {
        var schedule = new LearningRateSchedule(TwoCycles, 3e-4);
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.At(12));
    }
}

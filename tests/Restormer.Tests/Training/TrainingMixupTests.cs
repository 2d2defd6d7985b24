using Restormer.Training;
using Restormer.Training.Options;
using static TorchSharp.torch;

namespace Restormer.Tests.Training;

public class TrainingMixupTests
{
    [Fact]
    public void BetaSamplesHaveTheBetaDistributionsMeanAndVariance()
    {
        var rng = new Random(11);
        var samples = Enumerable.Range(0, 40000).Select(_ => Mixup.SampleBeta(1.2, 1.2, rng)).ToArray();
        var mean = samples.Average();
        var variance = samples.Select(s => (s - mean) * (s - mean)).Average();
        // Beta(a, b): mean a/(a+b) = 0.5, variance ab/((a+b)²(a+b+1)) = 1.44/(5.76·3.4).
        Assert.InRange(mean, 0.495, 0.505);
        Assert.InRange(variance, 1.44 / (5.76 * 3.4) - 0.0015, 1.44 / (5.76 * 3.4) + 0.0015);
        Assert.All(samples, s => Assert.InRange(s, 0, 1));
        // A skewed shape below 1 takes the other branch of the sampler: Beta(0.5, 2) has mean 0.2.
        Assert.InRange(Enumerable.Range(0, 40000).Select(_ => Mixup.SampleBeta(0.5, 2, rng)).Average(), 0.195, 0.205);
    }

    [Fact]
    public void MixesInputsAndTargetsWithTheSamePartnerAndWeight()
    {
        // Targets 0..3, inputs 10..13 (one value per sample): both must become λ·v + (1−λ)·v[perm].
        var gt = arange(4, dtype: float32).reshape(4, 1, 1, 1);
        var lq = gt + 10;
        var options = new MixupOptions { Enabled = true, Beta = 1.2 };
        var (mixedGt, mixedLq) = Mixup.Apply(options, gt, lq, new Random(3));
        var g = mixedGt.flatten().data<float>().ToArray();
        var l = mixedLq.flatten().data<float>().ToArray();
        for (int i = 0; i < 4; i++)
            Assert.Equal(g[i] + 10, l[i], 4);
        Assert.Equal(1.5, g.Average(), 4); // a convex mix of a permutation keeps the batch mean
        Assert.NotEqual([0f, 1f, 2f, 3f], g);
    }

    [Fact]
    public void UseIdentityLeavesAboutHalfTheBatchesUnmixed()
    {
        var gt = arange(4, dtype: float32).reshape(4, 1, 1, 1);
        var options = new MixupOptions { Enabled = true, UseIdentity = true };
        var unchanged = Enumerable.Range(0, 400).Count(seed =>
        {
            var (mixed, _) = Mixup.Apply(options, gt, gt, new Random(seed));
            return ReferenceEquals(mixed, gt);
        });
        Assert.InRange(unchanged, 160, 240);
    }
}

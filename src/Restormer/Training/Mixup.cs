using Restormer.Degradations;
using Restormer.Training.Options;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>
/// Mixup of a training batch (Mixing_Augment in the reference, Zhang et al. 2018): the inputs and the targets are both
/// blended with the same shuffled copy of the batch, <c>λ·x + (1−λ)·x[perm]</c>, λ ~ Beta(β, β). With
/// <c>use_identity</c> half the batches are left unmixed. The choices come from the generator handed in, which the
/// trainer derives from (seed, iteration).
/// </summary>
public static class Mixup
{
    /// <summary>The mixed (target, input) pair, or the inputs unchanged when this batch draws the identity.</summary>
    public static (Tensor Gt, Tensor Lq) Apply(MixupOptions options, Tensor gt, Tensor lq, Random rng)
    {
        // As the reference: with use_identity, randint(0, 1) picks mixup (0) or identity (1).
        if (options.UseIdentity && rng.Next(2) == 1)
            return (gt, lq);
        var lambda = SampleBeta(options.Beta, options.Beta, rng);
        var order = Enumerable.Range(0, (int)gt.shape[0]).ToArray();
        rng.Shuffle(order);
        using var index = tensor(order.Select(i => (long)i).ToArray(), device: gt.device);
        return (Blend(gt, index, lambda), Blend(lq, index, lambda));
    }

    static Tensor Blend(Tensor batch, Tensor index, double lambda)
    {
        using var partner = batch.index_select(0, index);
        return batch.mul(lambda).add_(partner, alpha: 1 - lambda);
    }

    /// <summary>A Beta(a, b) sample as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public static double SampleBeta(double a, double b, Random rng)
    {
        var x = SampleGamma(a, rng);
        var y = SampleGamma(b, rng);
        return x / (x + y);
    }

    // Marsaglia & Tsang (2000); shapes below 1 use Gamma(a+1)·U^(1/a).
    static double SampleGamma(double shape, Random rng)
    {
        if (shape <= 0)
            throw new ArgumentOutOfRangeException(nameof(shape), "mixup_beta must be positive.");
        if (shape < 1)
            return SampleGamma(shape + 1, rng) * Math.Pow(1 - rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = rng.NextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = 1 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
                return d * v;
        }
    }
}

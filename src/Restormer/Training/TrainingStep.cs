using Restormer.Training.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>What one optimisation step did.</summary>
/// <param name="Loss">The step's pixel loss (for accumulated micro-batches, that of the whole effective batch).</param>
/// <param name="GradientNorm">The gradients' global L2 norm before clipping.</param>
/// <param name="Applied">False when the loss or the norm was not finite and the update was skipped.</param>
public readonly record struct StepOutcome(double Loss, double GradientNorm, bool Applied);

/// <summary>
/// One optimisation step of the reference's <c>ImageCleanModel.optimize_parameters</c>: the L1 pixel loss of
/// <c>net(lq)</c> against <c>gt</c>, backward, with <c>use_grad_clip</c> <c>clip_grad_norm_(parameters, 0.01)</c>, and
/// the AdamW update. The step may be split into micro-batches (gradient accumulation): each one's backward adds its
/// share to the gradients, scaled so that k micro-batches of b pairs give the gradient of one batch of k·b, and the
/// update comes once after the last. A step whose loss or gradient norm is NaN or infinite is skipped: its gradients
/// are dropped and the weights and AdamW moments stay as they were.
/// </summary>
public sealed class TrainingStep
{
    /// <summary>The global gradient-norm bound of the reference's <c>use_grad_clip</c>.</summary>
    public const double GradientClipNorm = 0.01;

    readonly nn.Module<Tensor, Tensor> net;
    readonly AdamW optimizer;
    readonly TrainOptions options;
    double loss;

    /// <summary>Steps <paramref name="net"/> with <paramref name="optimizer"/> (over its parameters) under the <c>train</c> options.</summary>
    public TrainingStep(nn.Module<Tensor, Tensor> net, AdamW optimizer, TrainOptions options)
    {
        this.net = net;
        this.optimizer = optimizer;
        this.options = options;
    }

    /// <summary>
    /// Forward and backward on one of <paramref name="microBatches"/> equal micro-batches of the step, adding its share
    /// to the gradients (a mean loss is divided by the count, a summed one is not); returns the micro-batch's own loss.
    /// </summary>
    public double Accumulate(Tensor lq, Tensor gt, int microBatches = 1)
    {
        using var scope = NewDisposeScope();
        var difference = (net.call(lq) - gt).abs();
        var mean = options.PixelLossReduction != "sum";
        var microLoss = (mean ? difference.mean() : difference.sum()) * options.PixelLossWeight;
        var share = mean ? 1.0 / microBatches : 1.0;
        (share == 1.0 ? microLoss : microLoss * share).backward();
        var value = microLoss.item<float>();
        loss += share * value;
        return value;
    }

    /// <summary>
    /// Ends the step at <paramref name="learningRate"/>: measures (and with <c>use_grad_clip</c> clips) the gradients'
    /// global norm, applies AdamW unless the loss or the norm is not finite, and clears the gradients for the next step.
    /// </summary>
    public StepOutcome Apply(double learningRate)
    {
        var parameters = optimizer.parameters().ToList();
        // clip_grad_norm_ returns the norm before clipping; an infinite bound only measures it (the factor is clamped to 1).
        var norm = nn.utils.clip_grad_norm_(parameters, options.UseGradClip ? GradientClipNorm : double.PositiveInfinity);
        var outcome = new StepOutcome(loss, norm, double.IsFinite(loss) && double.IsFinite(norm));
        if (outcome.Applied)
        {
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = learningRate;
            optimizer.step();
        }
        optimizer.zero_grad();
        loss = 0;
        return outcome;
    }
}

namespace Restormer.Training.Options;

/// <summary>The <c>train</c> section: length, optimiser, learning-rate schedule, loss and augmentation of the batch.</summary>
public sealed record TrainOptions
{
    /// <summary>Iterations to run (<c>total_iter</c>).</summary>
    public int TotalIter { get; init; }
    /// <summary>Linear warm-up length; -1 for none (<c>warmup_iter</c>).</summary>
    public int WarmupIter { get; init; } = -1;
    /// <summary>Clip the gradient's global norm to 0.01 as the reference (<c>use_grad_clip</c>).</summary>
    public bool UseGradClip { get; init; }
    /// <summary>Recompute each transformer block in the backward pass instead of keeping its activations
    /// (<c>checkpoint_blocks</c>, an extension of this port): less memory, about a third more compute.</summary>
    public bool CheckpointBlocks { get; init; }
    /// <summary>Micro-batches whose gradients are summed before each optimiser step (<c>accumulate_grad_batches</c>, an
    /// extension of this port): the effective batch is this many times the loaded one, while memory stays that of one.</summary>
    public int AccumulateGradBatches { get; init; } = 1;
    /// <summary>Non-finite steps in a row that are skipped before the run stops (<c>max_nonfinite_steps</c>, an
    /// extension of this port; 0 stops at the first).</summary>
    public int MaxNonFiniteSteps { get; init; } = 5;
    /// <summary>The learning-rate schedule (<c>scheduler</c>).</summary>
    public required SchedulerOptions Scheduler { get; init; }
    /// <summary>Mixup of the batch (<c>mixing_augs</c>).</summary>
    public MixupOptions Mixup { get; init; } = new();
    /// <summary>The optimiser (<c>optim_g</c>).</summary>
    public required OptimizerSettings Optimizer { get; init; }
    /// <summary>Weight of the L1 pixel loss (<c>pixel_opt.loss_weight</c>).</summary>
    public double PixelLossWeight { get; init; } = 1;
    /// <summary>Loss reduction, <c>mean</c> or <c>sum</c> (<c>pixel_opt.reduction</c>).</summary>
    public string PixelLossReduction { get; init; } = "mean";

    internal static TrainOptions Parse(OptionMap map)
    {
        var totalIter = map.Require<int>("total_iter");
        if (totalIter <= 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("total_iter")}' must be at least 1.");
        var ema = map.Get("ema_decay", 0.0);
        if (ema > 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("ema_decay")}' > 0 (an EMA copy of the network) is not supported; remove it or set it to 0.");
        var (lossWeight, reduction) = ParsePixelLoss(map.RequireMap("pixel_opt"));
        var options = new TrainOptions
        {
            TotalIter = totalIter,
            WarmupIter = map.Get("warmup_iter", -1),
            UseGradClip = map.Get("use_grad_clip", false),
            CheckpointBlocks = map.Get("checkpoint_blocks", false),
            AccumulateGradBatches = map.Get("accumulate_grad_batches", 1),
            MaxNonFiniteSteps = map.Get("max_nonfinite_steps", 5),
            Scheduler = SchedulerOptions.Parse(map.RequireMap("scheduler")),
            Mixup = map.Map("mixing_augs") is { } mix ? MixupOptions.Parse(mix) : new MixupOptions(),
            Optimizer = OptimizerSettings.Parse(map.RequireMap("optim_g")),
            PixelLossWeight = lossWeight,
            PixelLossReduction = reduction,
        };
        if (options.AccumulateGradBatches < 1)
            throw new OptionException($"{map.Source}: '{map.PathOf("accumulate_grad_batches")}' must be at least 1 (1 = no accumulation).");
        if (options.MaxNonFiniteSteps < 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("max_nonfinite_steps")}' must be 0 or more.");
        options.Scheduler.CheckCovers(totalIter, map);
        return options;
    }

    static (double Weight, string Reduction) ParsePixelLoss(OptionMap map)
    {
        var type = map.Require<string>("type");
        if (type != "L1Loss")
            throw new OptionException($"{map.Source}: '{map.PathOf("type")}' is '{type}'; only L1Loss (the Restormer loss) is supported.");
        var reduction = map.Get("reduction", "mean");
        if (reduction is not ("mean" or "sum"))
            throw new OptionException($"{map.Source}: '{map.PathOf("reduction")}' must be 'mean' or 'sum', not '{reduction}'.");
        return (map.Get("loss_weight", 1.0), reduction);
    }
}

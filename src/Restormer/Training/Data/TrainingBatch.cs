namespace Restormer.Training.Data;

/// <summary>One iteration's (or micro-batch's) input and target patches, laid out as NCHW float arrays ready to become tensors.</summary>
public sealed record TrainingBatch
{
    /// <summary>The (1-based) draw the batch was made for: the iteration, or with gradient accumulation the micro-batch
    /// count (see <see cref="PatchBatcher"/>).</summary>
    public required long Draw { get; init; }
    /// <summary>The progressive-learning stage it follows.</summary>
    public required ProgressiveStage Stage { get; init; }
    /// <summary>Pairs in the batch.</summary>
    public required int Count { get; init; }
    /// <summary>Channels of the inputs.</summary>
    public required int LqChannels { get; init; }
    /// <summary>Channels of the targets.</summary>
    public required int GtChannels { get; init; }
    /// <summary>Patch height.</summary>
    public required int Height { get; init; }
    /// <summary>Patch width.</summary>
    public required int Width { get; init; }
    /// <summary>Inputs, Count × LqChannels × Height × Width.</summary>
    public required float[] Lq { get; init; }
    /// <summary>Targets, Count × GtChannels × Height × Width.</summary>
    public required float[] Gt { get; init; }
    /// <summary>Pair indices in batch order.</summary>
    public required int[] Indices { get; init; }
}

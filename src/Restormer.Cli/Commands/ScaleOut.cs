using Restormer.IO;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// How a <c>restore</c> run shares a large batch with other machines: only its <see cref="Shard"/> of the inputs,
/// and/or through the work queue at <see cref="Queue"/>. (Resuming after a crash is <c>--skip-existing</c>.)
/// </summary>
public sealed record ScaleOut(Shard? Shard, string? Queue, QueueSettings Settings, int InFlight)
{
    /// <summary>The planned items this run restores, with a line saying how many its shard holds.</summary>
    public IReadOnlyList<OutputPlan.Item> Select(Cli cli, IReadOnlyList<OutputPlan.Item> planned)
    {
        if (Shard is not { } shard) return planned;
        var items = shard.Select(planned);
        cli.Info($"Shard {shard}: {items.Count} of {planned.Count} input(s).");
        return items;
    }
}

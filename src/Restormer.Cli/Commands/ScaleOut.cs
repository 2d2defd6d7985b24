using Restormer.IO;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// How a <c>restore</c> run shares a large batch with other machines: only its <see cref="Shard"/> of the inputs,
/// and/or through the work queue at <see cref="Queue"/>. (Resuming after a crash is <c>--skip-existing</c>.)
/// </summary>
public sealed record ScaleOut(Shard? Shard, string? Queue, QueueSettings Settings, int InFlight)
{
    /// <summary>Whether this run restores <paramref name="input"/>: every input, or those of its shard.</summary>
    public bool Holds(InputFile input) => Shard?.Holds(input) ?? true;
}

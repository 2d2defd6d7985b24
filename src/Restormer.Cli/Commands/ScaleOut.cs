using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// How a <c>restore</c> run shares a large batch with other machines: only its <see cref="Shard"/> of the inputs,
/// leaving out those already restored (<see cref="SkipExisting"/>, to resume after a crash), and/or through the work
/// queue at <see cref="Queue"/>.
/// </summary>
public sealed record ScaleOut(Shard? Shard, bool SkipExisting, string? Queue, QueueSettings Settings, int InFlight)
{
    /// <summary>The planned items this run restores, with a line saying what was left out.</summary>
    public IReadOnlyList<(string Input, string Output)> Select(Cli cli, IReadOnlyList<(string Input, string Output)> planned, string input)
    {
        var folder = Directory.Exists(input) ? input : Path.GetDirectoryName(Path.GetFullPath(input))!;
        var items = Shard is { } shard ? shard.Select(planned, folder) : planned;
        int inShard = items.Count;
        if (SkipExisting) items = [.. items.Where(item => !File.Exists(item.Output))];
        if (Shard is not null || items.Count < inShard)
            cli.Info((Shard is { } s ? $"Shard {s}: {inShard} of {planned.Count} input(s)" : $"{planned.Count} input(s)") +
                     (SkipExisting ? $"; {inShard - items.Count} already restored, skipped." : "."));
        return items;
    }
}

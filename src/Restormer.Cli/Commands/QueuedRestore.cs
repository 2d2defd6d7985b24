using System.Diagnostics;
using Restormer.Inference;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>restore --queue</c>: submits the planned images as jobs and writes the results here as workers return them,
/// with the same lines, summary and exit codes as a local run and one progress bar across all jobs.
/// </summary>
public static class QueuedRestore
{
    internal static int Run(Cli cli, ScaleOut scaleOut, RestorationTask task, string? weights, RestoreOptions options,
                            IReadOnlyList<(string Input, string Output)> items, string output, CancellationToken cancellation)
    {
        // Workers resolve a task name in their own models folder; a weights file must be at the same path for them.
        if (weights is not null && !File.Exists(weights))
            throw new FileNotFoundException($"Weights file '{weights}' not found: with --queue give a path every worker can read (shared storage), or a --task installed on the workers.");
        var model = weights is not null ? Path.GetFullPath(weights) : task.Name;
        using var queue = WorkQueue.Connect(scaleOut.Queue!, scaleOut.Settings);
        cli.Info($"Queue: {queue.Address}; {items.Count} image(s) for the workers' {model} model, up to {scaleOut.InFlight} at a time.");
        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        ProgressDisplay.Run(cli, "restoring", items.Count, display =>
        {
            display.Description = $"{items.Count} job(s)";
            new QueueBatch(queue, model, options, scaleOut.InFlight).Run(items, outcome =>
            {
                if (outcome.Error is null)
                    display.Line($"ok   {Path.GetFileName(outcome.Input)} -> {outcome.Output} (by {outcome.Worker})");
                else
                {
                    failures.Add(outcome.Input);
                    display.Line($"FAIL {Path.GetFileName(outcome.Input)}: {outcome.Error} (skipped)");
                }
            }, done => display.Value = done, cancellation);
        });
        int done = items.Count - failures.Count;
        cli.Info($"{done} of {items.Count} image(s) restored in {total.Elapsed.TotalSeconds:F1} s into {Path.GetFullPath(output)}" +
                 (failures.Count > 0 ? $"; {failures.Count} failed: {string.Join(", ", failures.Select(Path.GetFileName))}" : "."));
        return failures.Count == 0 ? 0 : 1;
    }
}

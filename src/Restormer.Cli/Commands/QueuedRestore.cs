using System.Diagnostics;
using Restormer.Imaging;
using Restormer.IO;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>restore --queue</c>: submits the planned images as jobs and writes the results here as workers return them,
/// with the same lines (or <c>--json</c> records), summary and exit codes as a local run and one progress bar across all jobs.
/// </summary>
public static class QueuedRestore
{
    internal static int Run(Cli cli, RestoreCommand.Request request, IReadOnlyList<OutputPlan.Item> items, ImageSaveOptions save,
                            string where, CancellationToken cancellation)
    {
        var scaleOut = request.ScaleOut!;
        // Workers resolve a task name in their own models folder; a weights file must be at the same path for them.
        if (request.Weights is { } weights && !File.Exists(weights))
            throw new FileNotFoundException($"Weights file '{weights}' not found: with --queue give a path every worker can read (shared storage), or a --task installed on the workers.");
        var model = request.Weights is not null ? Path.GetFullPath(request.Weights) : request.Task.Name;
        var restore = items.Where(item => !item.Skip).ToList();
        var byOutput = restore.ToDictionary(item => item.Output);
        using var queue = WorkQueue.Connect(scaleOut.Queue!, scaleOut.Settings);
        cli.Info($"Queue: {queue.Address}; {restore.Count} image(s) for the workers' {model} model, up to {scaleOut.InFlight} at a time.");
        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        ProgressDisplay.Run(cli, "restoring", restore.Count, display =>
        {
            foreach (var item in items.Where(item => item.Skip)) RestoreCommand.Skipped(cli, request, display, item);
            display.Description = $"{restore.Count} job(s)";
            new QueueBatch(queue, model, request.Options, save, scaleOut.InFlight).Run([.. restore.Select(item => (item.Input.Path, item.Output))], outcome =>
            {
                var name = byOutput[outcome.Output].Input.Name;
                if (outcome.Error is null)
                {
                    display.Line($"ok   {name} -> {outcome.Output} (by {outcome.Worker})");
                    RestoreCommand.Record(cli, request, new RestoreCommand.ImageRecord(name, outcome.Output, "ok"));
                }
                else
                {
                    failures.Add(name);
                    display.Line($"FAIL {name}: {outcome.Error} (skipped)");
                    RestoreCommand.Record(cli, request, new RestoreCommand.ImageRecord(name, outcome.Output, "failed", Error: outcome.Error));
                }
            }, done => display.Value = done, cancellation);
        });
        cli.Info(RestoreCommand.Summary(items.Count, items.Count - restore.Count, failures, total.Elapsed, where));
        return failures.Count == 0 ? 0 : 1;
    }
}

using System.Diagnostics;
using System.Text.Json;
using Restormer.Imaging;
using Restormer.IO;
using Restormer.Queue;
using Restormer.Video;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>restore --queue</c>: submits the planned images as jobs, and the frames of videos a window at a time, and writes the results here as workers return them,
/// with the same lines (or <c>--json</c> records), summary and exit codes as a local run and one progress bar across all jobs.
/// </summary>
public static class QueuedRestore
{
    internal static int Run(Cli cli, RestoreCommand.Request request, IReadOnlyList<OutputPlan.Item> items, ImageSaveOptions save, VideoSaveOptions videoSave,
                            string where, CancellationToken cancellation)
    {
        var scaleOut = request.ScaleOut!;
        // Workers resolve a task name in their own models folder; a weights file must be at the same path for them.
        if (request.Weights is { } weights && !File.Exists(weights))
            throw new FileNotFoundException($"Weights file '{weights}' not found: with --queue give a path every worker can read (shared storage), or a --task installed on the workers.");
        var model = request.Weights is not null ? Path.GetFullPath(request.Weights) : request.Task.Name;
        var restore = items.Where(item => !item.Skip && !VideoContainers.IsVideo(item.Input.Path)).ToList();
        var videos = items.Where(item => !item.Skip && VideoContainers.IsVideo(item.Input.Path)).ToList();
        var byOutput = restore.ToDictionary(item => item.Output);
        using var queue = WorkQueue.Connect(scaleOut.Queue!, scaleOut.Settings);
        cli.Info($"Queue: {queue.Address}; {restore.Count} image(s){(videos.Count > 0 ? $" and the frames of {videos.Count} video(s)" : "")} for the workers' {model} model, up to {scaleOut.InFlight} at a time.");
        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        ProgressDisplay.Run(cli, "restoring", restore.Count + videos.Count, display =>
        {
            foreach (var item in items.Where(item => item.Skip)) RestoreCommand.Skipped(cli, request, display, item);
            display.Description = $"{restore.Count} job(s)";
            if (restore.Count > 0)
                new QueueBatch(queue, model, request.Options, save, scaleOut.InFlight).Run([.. restore.Select(item => (item.Input.Path, item.Output))], outcome =>
            {
                var name = byOutput[outcome.Output].Input.Name;
                if (outcome.Error is null)
                {
                    display.Line($"ok   {name} -> {outcome.Output} (by {outcome.Worker})");
                    RestoreCommand.Record(cli, request, new RestoreCommand.ImageRecord(name, outcome.Output, "ok"));
                }
                else
                    RestoreCommand.Failed(cli, request, display, failures, name, outcome.Output, outcome.Error);
            }, done => display.Value = done, cancellation);
            foreach (var (index, item) in videos.Index())
                RestoreVideo(cli, request, queue, model, item, videoSave, display, restore.Count + index, restore.Count + videos.Count, failures, cancellation);
        });
        cli.Info(RestoreCommand.Summary(items.Count, items.Count - restore.Count - videos.Count, failures, total.Elapsed, where, videos.Count > 0 ? "file(s)" : "image(s)"));
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Restores a clip here, its frames by the workers (<see cref="QueuedFrames"/>), as many at once as jobs may be in
    /// flight; the clip's chunks, resume and output are a local run's.
    /// </summary>
    private static void RestoreVideo(Cli cli, RestoreCommand.Request request, WorkQueue queue, string model, OutputPlan.Item item, VideoSaveOptions save,
                                     ProgressDisplay display, int index, int count, List<string> failures, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        int window = request.ScaleOut!.InFlight;
        using var staging = new StagingFolder();
        VideoResult? video = null;
        try
        {
            video = RestoreCommand.RestoreVideo(item, display, index, count, progress =>
                VideoRestoration.Run(item.Input.Path, item.Output, save, QueuedFrames.Through(queue, model, request.Options, window, staging.PathFor("")),
                    window, $"queue {model} {JsonSerializer.Serialize(request.Options)}", request.Options.MaxPixels ?? ImageLimits.MaxPixels, progress, cancellation));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException)
        {
            RestoreCommand.Failed(cli, request, display, failures, item.Input.Name, item.Output, e.Message);
        }
        // Reported outside the try: a record that cannot be written must not turn a restored clip into a failed one.
        if (video is not null) RestoreCommand.VideoDone(cli, request, display, item, video, watch.Elapsed);
        display.Value = index + 1;
    }
}

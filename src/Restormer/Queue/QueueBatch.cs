using Restormer.Imaging;
using Restormer.Inference;
using Restormer.IO;

namespace Restormer.Queue;

/// <summary>How one image of a <see cref="QueueBatch"/> ended: <see cref="Error"/> is null when its result was written.</summary>
public sealed record QueueOutcome(string Input, string Output, string? Error, string? Worker);

/// <summary>
/// Restores a list of (input file, output file) pairs through the work queue: submits them as jobs, at most
/// <c>inFlight</c> at a time (so Redis holds a bounded number of images), and writes each result atomically to its
/// output as it comes back, deleting the job then. Stopping (cancellation or an error) cancels the jobs still out.
/// </summary>
public sealed class QueueBatch(WorkQueue queue, string model, RestoreOptions options, ImageSaveOptions save, int inFlight = 64)
{
    /// <summary>
    /// Runs the batch. <paramref name="finished"/> is called once per item; <paramref name="progress"/> gets the
    /// images done so far, counting running jobs by their fraction.
    /// </summary>
    public void Run(IReadOnlyList<(string Input, string Output)> items, Action<QueueOutcome> finished, Action<double> progress, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        var waiting = new Queue<(string Input, string Output)>(items);
        var running = new Dictionary<string, (QueueJob Job, string Input, string Output)>();
        int settled = 0;
        try
        {
            while (waiting.Count > 0 || running.Count > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                while (running.Count < inFlight && waiting.TryDequeue(out var item))
                {
                    if (Submit(item) is { } job) running[job.Id] = (job, item.Input, item.Output);
                    else settled++;
                }
                double partial = 0;
                bool changed = false;
                foreach (var (id, (submitted, input, output)) in running.ToList())
                {
                    var job = queue.Find(id);
                    if (job is { IsFinished: false })
                    {
                        if (job.State == QueueJobState.Running) partial += job.Progress;
                        continue;
                    }
                    finished(new QueueOutcome(input, output, job is null ? "the job expired from the queue before it was restored: submit it again (or raise --queue-ttl-hours)." : Collect(job, submitted, output), job?.Worker));
                    queue.Delete(submitted);
                    running.Remove(id);
                    settled++;
                    changed = true;
                }
                progress(settled + partial);
                if (!changed && running.Count > 0) cancellation.WaitHandle.WaitOne(queue.Settings.PollInterval);
            }
        }
        finally
        {
            foreach (var (job, _, _) in running.Values)
            {
                queue.Cancel(job);
                queue.Delete(job);
            }
        }

        QueueJob? Submit((string Input, string Output) item)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(item.Input);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                finished(new QueueOutcome(item.Input, item.Output, $"Cannot read '{item.Input}': {e.Message}", null));
                return null;
            }
            return queue.Submit(model, Path.GetFileName(item.Input), bytes, options, save);
        }
    }

    /// <summary>
    /// Writes a finished job's result to <paramref name="output"/>; returns the error, or null when written. The result
    /// is read where this batch <paramref name="submitted"/> the job, not where its hash (writable by anyone) now says.
    /// </summary>
    private string? Collect(QueueJob job, QueueJob submitted, string output)
    {
        if (job.State != QueueJobState.Done) return job.Error ?? $"the job was {QueueJob.StateName(job.State)}.";
        if (queue.Result(submitted) is not { } result) return "the result expired from the queue before it was collected: submit it again.";
        // --recursive outputs mirror the input tree.
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        AtomicFile.Write(output, (Stream s) => s.Write(result));
        return null;
    }
}

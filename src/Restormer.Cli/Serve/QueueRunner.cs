using Restormer.Inference;
using Restormer.IO;
using Restormer.Queue;

namespace Restormer.Cli.Serve;

/// <summary>
/// The <see cref="JobRunner"/> of <c>serve --queue</c>: hands the upload to the work queue's workers (by task name,
/// which each worker resolves in its own models folder), mirrors the job's progress, and writes the result where the
/// page expects it. Deleting the job on the page cancels it in the queue too.
/// </summary>
public sealed class QueueRunner(WorkQueue queue, RestoreOptions options)
{
    public void Run(RestoreJob job, IProgress<double> progress, CancellationToken cancellation)
    {
        var queued = queue.Submit(job.Task.Name, Path.GetFileName(job.UploadPath), File.ReadAllBytes(job.UploadPath), options);
        try
        {
            while (true)
            {
                if (cancellation.WaitHandle.WaitOne(queue.Settings.PollInterval)) break;
                var state = queue.Find(queued.Id) ?? throw new IOException("The job expired from the work queue before a worker restored it.");
                if (state.State == QueueJobState.Running) progress.Report(state.Progress);
                if (!state.IsFinished) continue;
                if (state.State != QueueJobState.Done) throw new IOException(state.Error ?? $"The job was {state.State.ToString().ToLowerInvariant()} in the work queue.");
                // Read where it was submitted, not where the hash (writable by anyone) now says.
                var result = queue.Result(queued) ?? throw new IOException("The result expired from the work queue before it was collected.");
                AtomicFile.Write(job.ResultPath, (Stream s) => s.Write(result));
                return;
            }
            queue.Cancel(queued);
            cancellation.ThrowIfCancellationRequested();
        }
        finally
        {
            queue.Delete(queued);
        }
    }
}

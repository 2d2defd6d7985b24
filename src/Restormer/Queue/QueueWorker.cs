using System.Diagnostics;
using System.Text.Json;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.IO;

namespace Restormer.Queue;

/// <summary>
/// Takes jobs from a <see cref="WorkQueue"/> one at a time (each restore already uses every core) and restores them
/// with the model each names, loaded on first use and kept while it is among the <c>maxModels</c> most recently used.
/// The claim on the running job is renewed every third of the visibility timeout; a failed attempt is retried until
/// <see cref="QueueSettings.MaxAttempts"/>, then the job fails. A malformed entry or job, or one that fails in an
/// unforeseen way, is rejected (<see cref="WorkQueue.Reject"/>) and the worker goes on: only losing Redis for good
/// (<see cref="QueueUnavailableException"/>) or running out of memory stops it. Task names are resolved in
/// <c>models</c> (default <see cref="ModelStore.Default"/>), weights paths as given.
/// </summary>
public sealed class QueueWorker(WorkQueue queue, RestoreOptions machine, string consumer, Action<string>? log = null, ModelStore? models = null,
                                int maxModels = QueueWorker.DefaultMaxModels) : IDisposable
{
    /// <summary>Models kept loaded by default: one task with two option sets, or two tasks, without reloading.</summary>
    public const int DefaultMaxModels = 2;
    private const string ScratchPrefix = "restormer-worker-";

    private readonly ModelStore store = models ?? ModelStore.Default;
    private readonly LruCache<Restorer> loaded = new(maxModels);
    private readonly Action<string> log = log ?? (_ => { });
    /// <summary>This machine's pixel limit; a job may ask for a lower one, never a higher one.</summary>
    private readonly long maxPixels = machine.MaxPixels ?? ImageLimits.MaxPixels;
    /// <summary>This worker's scratch folder; those that killed workers on this machine left are deleted first.</summary>
    private readonly string scratch = OwnerProcess.CreateFolder(Path.GetTempPath(), ScratchPrefix);

    /// <summary>This worker's consumer name in the group (shown in each job's <c>worker</c> field).</summary>
    public string Consumer => consumer;

    /// <summary>Jobs this worker finished (done, failed for good, or rejected).</summary>
    public int Settled { get; private set; }

    /// <summary>Models loaded now (at most <c>maxModels</c>).</summary>
    internal int LoadedModels => loaded.Count;

    /// <summary>Works until <paramref name="stopping"/> fires; a job running then is handed back untried.</summary>
    public void Run(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
            if (!TryRunOne(stopping))
                stopping.WaitHandle.WaitOne(queue.Settings.PollInterval);
    }

    /// <summary>Takes and settles one job; false when the queue had none.</summary>
    public bool TryRunOne(CancellationToken stopping = default)
    {
        if (queue.Take(consumer) is not { } delivery) return false;
        try
        {
            Work(delivery, stopping);
        }
        catch (Exception e) when (e is not (QueueUnavailableException or OutOfMemoryException))
        {
            // Whatever one entry does to this worker fails that entry; the next job may be fine.
            try
            {
                Reject(delivery, $"the worker could not handle the job: {e.Message}");
            }
            catch (Exception again) when (again is not (QueueUnavailableException or OutOfMemoryException))
            {
                log($"warning: could not set entry {delivery.EntryId} (job {delivery.JobId}) aside: {again.Message}; it is taken again after the visibility timeout");
            }
        }
        return true;
    }

    private void Work(Delivery delivery, CancellationToken stopping)
    {
        if (delivery.Problem is { } garbage)
        {
            Reject(delivery, $"malformed queue entry: {garbage}");
            return;
        }
        var job = queue.Find(delivery.JobId);
        if (job is null || job.IsFinished)
        {
            queue.Acknowledge(delivery); // expired, deleted, cancelled, or done by an earlier delivery
            return;
        }
        if (job.Problem is { } problem)
        {
            Reject(delivery, $"malformed job: {problem}");
            return;
        }
        if (queue.BeginAttempt(job, consumer) is not int attempt)
        {
            queue.Acknowledge(delivery);
            return;
        }
        if (attempt > queue.Settings.MaxAttempts)
        {
            // Taken again after its last attempt's worker died: give up rather than crash workers forever.
            Settle(() => queue.Fail(delivery, job, $"gave up after {queue.Settings.MaxAttempts} attempts: {job.Error ?? "the worker restoring it stopped (crashed or killed)"}"),
                   $"failed {job.InputName} ({job.Id}): no attempts left");
            return;
        }
        var watch = Stopwatch.StartNew();
        byte[] result;
        // One renewal at a time, re-armed after each: a slow Redis must not pile up blocked timer callbacks.
        var period = queue.Settings.VisibilityTimeout / 3;
        Timer? renewing = null;
        renewing = new Timer(_ =>
        {
            Renew(delivery);
            try { renewing!.Change(period, Timeout.InfiniteTimeSpan); }
            catch (ObjectDisposedException) { }
        }, null, period, Timeout.InfiniteTimeSpan);
        try
        {
            result = Restore(job, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            queue.Release(delivery, job);
            log($"stopped {job.InputName} ({job.Id}): handed back to the queue");
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (attempt >= queue.Settings.MaxAttempts)
                Settle(() => queue.Fail(delivery, job, e.Message), $"failed {job.InputName} ({job.Id}) after {attempt} attempt(s): {e.Message}");
            else
            {
                queue.Retry(delivery, job, e.Message);
                log($"retry  {job.InputName} ({job.Id}), attempt {attempt} failed: {e.Message}");
            }
            return;
        }
        finally
        {
            // Waits for a renewal in progress, so none runs once this call has returned (and the queue may be closed).
            using var stopped = new ManualResetEvent(false);
            if (renewing.Dispose(stopped)) stopped.WaitOne();
        }
        Settle(() => queue.Complete(delivery, job, result), $"done   {job.InputName} ({job.Id}) in {watch.Elapsed.TotalSeconds:F1} s, attempt {attempt}");
    }

    /// <summary>Sets the entry aside with <paramref name="reason"/>, failing its job (see <see cref="WorkQueue.Reject"/>).</summary>
    private void Reject(Delivery delivery, string reason) =>
        Settle(() => queue.Reject(delivery, consumer, reason), $"reject {delivery.JobId} (entry {delivery.EntryId}): {reason}");

    private void Settle(Action store, string line)
    {
        store();
        Settled++;
        log(line);
    }

    private void Renew(Delivery delivery)
    {
        try
        {
            queue.Renew(consumer, delivery);
        }
        catch (Exception e) // on a timer thread, where an escaping exception would end the process
        {
            log($"warning: could not renew the claim on job {delivery.JobId}: {e.Message}");
        }
    }

    /// <summary>Restores the job's input exactly as a local run restores a file (same decoder, same encoder).</summary>
    private byte[] Restore(QueueJob job, CancellationToken stopping)
    {
        var input = queue.Input(job) ?? throw new IOException($"The input of '{job.InputName}' is no longer in the queue (expired): submit it again.");
        var folder = Directory.CreateDirectory(Path.Combine(scratch, job.Id)).FullName;
        try
        {
            var inputPath = Path.Combine(folder, SafeName(job.InputName));
            var outputPath = Path.Combine(folder, "result" + job.Save.Format.Extension());
            File.WriteAllBytes(inputPath, input);
            var progress = new Throttled(f => queue.ReportProgress(job, f));
            try
            {
                ModelFor(job).Restore(inputPath, outputPath, job.Save, progress, stopping);
            }
            catch (IOException e)
            {
                // Name the user's file, not this worker's scratch copy.
                throw new IOException(e.Message.Replace(inputPath, job.InputName), e);
            }
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The job's model with its settings, loaded unless among the most recently used. Keyed by the whole option set:
    /// tiling, self-ensemble, memory budget and pixel limit are fixed when a <see cref="Restorer"/> is made, so two
    /// option sets cannot share one.
    /// </summary>
    private Restorer ModelFor(QueueJob job)
    {
        // A job may ask for less memory and fewer pixels than this worker allows, never more.
        var options = job.Options with
        {
            Device = machine.Device, Threads = machine.Threads, MaxPixels = Math.Min(job.Options.MaxPixels ?? maxPixels, maxPixels),
            MemoryBudgetBytes = Math.Min(job.Options.MemoryBudgetBytes, machine.MemoryBudgetBytes),
        };
        return loaded.Get(job.Model + "\n" + JsonSerializer.Serialize(options), () =>
        {
            var watch = Stopwatch.StartNew();
            var task = File.Exists(job.Model) ? null : RestorationTask.Find(job.Model);
            var restorer = Restorer.Load(task, task is null ? job.Model : store.Resolve(task), options);
            log($"loaded {restorer.WeightsPath} in {watch.Elapsed.TotalSeconds:F1} s");
            return restorer;
        });
    }

    private static string SafeName(string name)
    {
        var clean = Path.GetFileName(name);
        return clean.Length == 0 || clean.StartsWith('.') ? "input" + Path.GetExtension(clean) : clean;
    }

    /// <summary>Forwards progress at most every half second, so a tiled restore does not flood Redis.</summary>
    private sealed class Throttled(Action<double> report) : IProgress<double>
    {
        private long last;

        public void Report(double value)
        {
            long now = Environment.TickCount64;
            if (now - Interlocked.Read(ref last) < 500) return;
            Interlocked.Exchange(ref last, now);
            report(value);
        }
    }

    /// <summary>Frees the loaded models and the scratch folder.</summary>
    public void Dispose()
    {
        loaded.Dispose();
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
    }
}

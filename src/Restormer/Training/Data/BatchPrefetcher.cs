using System.Diagnostics;

namespace Restormer.Training.Data;

/// <summary>
/// Builds upcoming batches on background threads while the network trains on the current one, keeping up to
/// <c>depth</c> batches in flight. Batches come back strictly in iteration order whatever order the threads finish
/// in, and the time the trainer spent waiting for data is measured so a loader bottleneck shows in the log.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    readonly Func<long, TrainingBatch> build;
    readonly long last;
    readonly int depth;
    readonly Queue<Task<TrainingBatch>> pending = new();
    long nextToSchedule;
    readonly CancellationTokenSource stop = new();

    /// <summary>Prefetches the batches of iterations <paramref name="first"/>..<paramref name="last"/> (inclusive).</summary>
    public BatchPrefetcher(Func<long, TrainingBatch> build, long first, long last, int depth)
    {
        this.build = build;
        this.last = last;
        this.depth = Math.Max(1, depth);
        nextToSchedule = first;
        TopUp();
    }

    /// <summary>Total time <see cref="Next"/> blocked waiting for a batch that was not ready.</summary>
    public TimeSpan WaitTime { get; private set; }

    /// <summary>The next batch in iteration order; rethrows a loader's exception (e.g. an unreadable image).</summary>
    public TrainingBatch Next()
    {
        if (pending.Count == 0)
            throw new InvalidOperationException("No batches left to prefetch.");
        var task = pending.Dequeue();
        var watch = Stopwatch.StartNew();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            WaitTime += watch.Elapsed;
            TopUp();
        }
    }

    void TopUp()
    {
        while (pending.Count < depth && nextToSchedule <= last && !stop.IsCancellationRequested)
        {
            var iteration = nextToSchedule++;
            pending.Enqueue(Task.Run(() => build(iteration), stop.Token));
        }
    }

    /// <summary>Stops scheduling and waits for the loaders still running, so no thread outlives the trainer.</summary>
    public void Dispose()
    {
        stop.Cancel();
        foreach (var task in pending)
            try { task.Wait(); } catch (AggregateException) { }
        pending.Clear();
        stop.Dispose();
    }
}

using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// Dedicated threads that run the horizontal stripes of a level in parallel, each with libtorch limited to one thread
/// on it. One fork and join per block phase, instead of one per operation, keeps both cores busy with long runs of work
/// and avoids OpenMP's spinning waits competing with the engine's own kernels.
/// </summary>
internal sealed class StripeWorkers : IDisposable
{
    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] start;
    private readonly CountdownEvent done;
    private Action<int>? job;
    private int jobCount;
    private Exception? failure;
    private volatile bool stopping;

    public int Count { get; }

    /// <summary>
    /// Starts <paramref name="count"/> threads (none for one worker: stripes then run on the caller's thread); the
    /// caller's libtorch thread count is left as it was.
    /// </summary>
    public StripeWorkers(int count)
    {
        Count = Math.Max(1, count);
        if (Count == 1)
        {
            (threads, start, done) = ([], [], new CountdownEvent(0));
            return;
        }
        start = Enumerable.Range(0, Count).Select(_ => new SemaphoreSlim(0)).ToArray();
        done = new CountdownEvent(Count);
        int callerThreads = get_num_threads();
        using var ready = new CountdownEvent(count);
        threads = Enumerable.Range(0, count).Select(index => new Thread(() => Work(index, ready))
        {
            IsBackground = true,
            Name = $"restormer-stripe-{index}",
        }).ToArray();
        foreach (var thread in threads) thread.Start();
        ready.Wait();
        // Limiting the workers also lowered libtorch's default for other threads: restore the caller's.
        set_num_threads(callerThreads);
    }

    /// <summary>Runs <paramref name="body"/>(i) for i in [0, count) (count ≤ <see cref="Count"/>) in parallel and waits; rethrows a failure.</summary>
    public void Run(int count, Action<int> body)
    {
        if (count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"Only {Count} workers.");
        if (threads.Length == 0)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        (job, jobCount, failure) = (body, count, null);
        done.Reset(Count);
        foreach (var semaphore in start) semaphore.Release();
        done.Wait();
        job = null;
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    private void Work(int index, CountdownEvent ready)
    {
        // libtorch sets a thread's OpenMP team size from its process-wide count at the thread's first parallel_for
        // (lazy_init_num_threads), which would undo a limit set before it: each worker then ran a team of two, four
        // busy threads on two cores. So run one parallel operation first, then limit this thread to one.
        using (var first = zeros(1 << 16)) first.add_(first);
        set_num_threads(1);
        ready.Signal();
        while (true)
        {
            start[index].Wait();
            if (stopping) return;
            try
            {
                if (index < jobCount) job!(index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                done.Signal();
            }
        }
    }

    public void Dispose()
    {
        stopping = true;
        foreach (var semaphore in start) semaphore.Release();
        foreach (var thread in threads) thread.Join();
        foreach (var semaphore in start) semaphore.Dispose();
        done.Dispose();
    }
}

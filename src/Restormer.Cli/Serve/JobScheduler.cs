using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Restormer.Cli.Serve;

/// <summary>Does the work of one job: restore <see cref="RestoreJob.UploadPath"/> into <see cref="RestoreJob.ResultPath"/>.</summary>
public delegate void JobRunner(RestoreJob job, IProgress<double> progress, CancellationToken cancellation);

/// <summary>
/// Runs jobs one at a time per model (each model already uses every core; two at once would only share them), with
/// a bounded queue per model so a busy server says so at once instead of piling up uploads. Finished jobs' files are
/// deleted after <see cref="ServeOptions.ResultLifetime"/> by a periodic sweep. With a work queue the runner hands each
/// job to remote workers, and several run at once per model (<c>parallel</c>).
/// </summary>
public sealed class JobScheduler : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RestoreJob> jobs = new();
    private readonly Dictionary<string, Lane> lanes = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly JobRunner runner;
    private readonly int queueCapacity;
    private readonly int parallel;
    private readonly TimeSpan lifetime;
    private readonly Action<string> log;
    private readonly Task sweeper;

    /// <summary>Starts the scheduler and its sweep; <paramref name="log"/> receives one line per finished job.</summary>
    public JobScheduler(JobRunner runner, int queueCapacity, TimeSpan lifetime, Action<string>? log = null, int parallel = 1)
    {
        this.runner = runner;
        this.queueCapacity = queueCapacity;
        this.parallel = parallel;
        this.lifetime = lifetime;
        this.log = log ?? (_ => { });
        sweeper = SweepPeriodically(SweepInterval(lifetime), stopping.Token);
    }

    /// <summary>How often finished jobs are checked for age: a quarter of the lifetime, between 50 ms and a minute.</summary>
    public static TimeSpan SweepInterval(TimeSpan lifetime) =>
        TimeSpan.FromTicks(Math.Clamp(lifetime.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>The job with this id, or null when unknown or already swept.</summary>
    public RestoreJob? Find(string id) => jobs.GetValueOrDefault(id);

    /// <summary>
    /// Queues a job behind the others of its model; false when that queue is full (the caller answers 503).
    /// The model's worker starts on its first job.
    /// </summary>
    public bool TryEnqueue(RestoreJob job)
    {
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var lane = LaneFor(job.WeightsPath);
        jobs[job.Id] = job; // before the worker can see it: a finished job that is not listed gets its files deleted
        lock (lane)
        {
            job.Ticket = lane.Issued + 1;
            if (lane.Queue.Writer.TryWrite(job))
            {
                lane.Issued++;
                return true;
            }
        }
        jobs.TryRemove(job.Id, out _);
        return false;
    }

    /// <summary>Jobs ahead of <paramref name="job"/> in its model's queue (the running one included); 0 once it runs.</summary>
    public long Ahead(RestoreJob job)
    {
        if (job.State != JobState.Queued) return 0;
        var lane = LaneFor(job.WeightsPath);
        lock (lane) return Math.Max(0, job.Ticket - lane.Taken - 1 + lane.Busy);
    }

    private Lane LaneFor(string weightsPath)
    {
        lock (lanes)
        {
            if (!lanes.TryGetValue(weightsPath, out var lane))
                lanes[weightsPath] = lane = new Lane(this);
            return lane;
        }
    }

    /// <summary>Cancels a job and deletes its files now.</summary>
    public bool Remove(string id)
    {
        if (!jobs.TryRemove(id, out var job)) return false;
        job.Cancel();
        if (job.State != JobState.Running) WorkFolder.DeleteJobFolder(job.Folder);
        return true;
    }

    /// <summary>Forgets finished jobs that ended more than the lifetime before <paramref name="now"/> and deletes their files.</summary>
    public void Sweep(DateTimeOffset now)
    {
        foreach (var job in jobs.Values)
            if (job.Finished is { } finished && now - finished > lifetime && jobs.TryRemove(job.Id, out _))
                WorkFolder.DeleteJobFolder(job.Folder);
    }

    private async Task SweepPeriodically(TimeSpan interval, CancellationToken token)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
                Sweep(DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException) { }
    }

    private async Task RunLane(Lane lane)
    {
        await Task.Yield();
        try
        {
            await foreach (var job in lane.Queue.Reader.ReadAllAsync(stopping.Token))
            {
                lock (lane) { lane.Taken = Math.Max(lane.Taken, job.Ticket); lane.Busy++; }
                try
                {
                    await Task.Run(() => Run(job));
                }
                finally
                {
                    lock (lane) lane.Busy--;
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void Run(RestoreJob job)
    {
        if (!job.TryStart()) return;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation, stopping.Token);
        try
        {
            runner(job, job, linked.Token);
            job.MarkDone();
            log($"done   {job.FileName} ({job.Width}×{job.Height}, {job.Task.Name}) in {(job.Finished - job.Started)?.TotalSeconds:F1} s");
        }
        catch (OperationCanceledException)
        {
            job.MarkCancelled();
        }
        catch (Exception e)
        {
            job.MarkFailed(e.Message);
            log($"failed {job.FileName} ({job.Task.Name}): {e.Message}");
        }
        if (!jobs.ContainsKey(job.Id)) WorkFolder.DeleteJobFolder(job.Folder);
    }

    /// <summary>Cancels queued and running jobs and waits for the workers to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested) return;
        stopping.Cancel();
        foreach (var job in jobs.Values) job.Cancel();
        Task[] workers;
        lock (lanes) workers = [.. lanes.Values.Select(l => l.Worker)];
        await Task.WhenAll(workers.Append(sweeper));
    }

    /// <summary>One model's queue and worker.</summary>
    private sealed class Lane
    {
        public Lane(JobScheduler owner)
        {
            Queue = Channel.CreateBounded<RestoreJob>(new BoundedChannelOptions(owner.queueCapacity) { SingleReader = owner.parallel == 1 });
            Worker = Task.WhenAll(Enumerable.Range(0, owner.parallel).Select(_ => owner.RunLane(this)));
        }

        public Channel<RestoreJob> Queue { get; }
        public Task Worker { get; }
        public long Issued;
        public long Taken;
        public int Busy;
    }
}

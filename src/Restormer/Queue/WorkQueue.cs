using Restormer.Imaging;
using Restormer.Inference;
using StackExchange.Redis;

namespace Restormer.Queue;

/// <summary>
/// A job handed to one worker: the stream entry that carries it, to acknowledge once the job is settled.
/// <paramref name="Problem"/> says why the entry names no valid job (anything can be written to the stream); the
/// worker then rejects it (<see cref="WorkQueue.Reject"/>).
/// </summary>
public sealed record Delivery(RedisValue EntryId, string JobId, string? Problem = null);

/// <summary>
/// The work queue on Redis. Jobs are entries of the stream <c>restormer:jobs</c>, read by the consumer group
/// <c>workers</c> (XREADGROUP); each job's state lives in the hash <c>restormer:job:&lt;id&gt;</c>, its input and result
/// beside it (<see cref="JobBlobs"/>), all with a time-to-live. Delivery is at least once: an entry is acknowledged
/// (XACK, then deleted) in the same transaction that stores the result or the final failure, and an entry whose worker
/// stopped renewing its claim for <see cref="QueueSettings.VisibilityTimeout"/> is reclaimed by another (XAUTOCLAIM).
/// Calls wait out a Redis restart for up to <see cref="QueueSettings.OutageTolerance"/>. Entries and hashes are read
/// through <see cref="JobParser"/>; those that cannot be worked on are set aside in the stream <c>restormer:dead</c>.
/// </summary>
public sealed class WorkQueue : IDisposable
{
    internal const string Prefix = "restormer:";
    private static readonly RedisKey Stream = Prefix + "jobs";
    private const string Group = "workers";
    internal const string JobField = "job";
    private static readonly RedisKey DeadLetters = Prefix + "dead";
    /// <summary>Records kept in <c>restormer:dead</c> (about; older ones are trimmed), so poison cannot fill Redis.</summary>
    private const int DeadLetterLength = 10000;
    /// <summary>Longest error stored in a job's hash (a submitter prints it on one line).</summary>
    private const int MaxErrorChars = 1000;

    private readonly ConnectionMultiplexer redis;
    private IDatabase Db => redis.GetDatabase();

    private WorkQueue(ConnectionMultiplexer redis, string address, QueueSettings settings)
    {
        this.redis = redis;
        Address = address;
        Settings = settings;
    }

    /// <summary>The <c>redis://</c> address it was opened with.</summary>
    public string Address { get; }
    public QueueSettings Settings { get; }

    /// <summary>Connects to <paramref name="url"/> (<c>redis://HOST:PORT[/DB]</c>) and creates the consumer group if needed.</summary>
    /// <exception cref="ArgumentException">The address is malformed or a setting is invalid.</exception>
    /// <exception cref="IOException">Redis cannot be reached there.</exception>
    public static WorkQueue Connect(string url, QueueSettings? settings = null)
    {
        settings ??= new QueueSettings();
        settings.Validate();
        var config = QueueAddress.Parse(url);
        ConnectionMultiplexer redis;
        try
        {
            redis = ConnectionMultiplexer.Connect(config);
        }
        catch (RedisConnectionException e)
        {
            throw new IOException($"Cannot reach the work queue at {url} ({FirstLine(e.Message)}): start redis-server there or correct --queue.", e);
        }
        var queue = new WorkQueue(redis, url, settings);
        queue.Retrying(queue.EnsureGroup);
        return queue;
    }

    /// <summary>Creates the stream and its consumer group unless they exist (from the first entry, so none is missed).</summary>
    private bool EnsureGroup()
    {
        try
        {
            return Db.StreamCreateConsumerGroup(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP"))
        {
            return false; // made by another worker or submitter already
        }
    }

    private static RedisKey JobKey(string id) => $"{Prefix}job:{id}";

    /// <summary>
    /// Queues one image: stores its input and hash and adds the stream entry in one transaction, so a job is either
    /// fully accepted or not at all. <paramref name="options"/>' device and threads are left to each worker;
    /// <paramref name="save"/> (default PNG) is how the worker writes the result.
    /// </summary>
    public QueueJob Submit(string model, string inputName, byte[] input, RestoreOptions options, ImageSaveOptions? save = null)
    {
        var job = new QueueJob
        {
            Id = Guid.NewGuid().ToString("N"),
            Model = model,
            InputName = inputName,
            Save = save ?? new ImageSaveOptions(),
            Options = options,
            SharedFolder = Settings.SharedFolder is { } folder ? Path.GetFullPath(folder) : null,
        };
        // The same id on a retry: a transaction whose reply was lost may have been applied, and then the job is
        // merely queued twice, which the idempotent result storage absorbs.
        Retrying(() =>
        {
            var tx = Db.CreateTransaction();
            JobBlobs.PutInput(tx, job, input, Settings.TimeToLive);
            _ = tx.HashSetAsync(JobKey(job.Id), job.ToHash());
            _ = tx.KeyExpireAsync(JobKey(job.Id), Settings.TimeToLive);
            _ = tx.StreamAddAsync(Stream, JobField, job.Id);
            return tx.Execute();
        });
        return job;
    }

    /// <summary>
    /// The job's current state as stored, or null when unknown or expired; a malformed hash gives a job with a
    /// <see cref="QueueJob.Problem"/>. Throws <see cref="ArgumentException"/> for an id no job can have.
    /// </summary>
    public QueueJob? Find(string id)
    {
        if (JobParser.IdProblem(id) is { } problem) throw new ArgumentException(problem + ".", nameof(id));
        return Retrying(() => JobParser.Job(id, Db.HashGetAll(JobKey(id)), Settings.SharedFolder));
    }

    /// <summary>The stored result of a done job, or null when it has expired.</summary>
    public byte[]? Result(QueueJob job) => Retrying(() => JobBlobs.GetResult(Db, job));

    /// <summary>The stored input, or null when it has expired.</summary>
    public byte[]? Input(QueueJob job) => Retrying(() => JobBlobs.GetInput(Db, job));

    /// <summary>Forgets a job: its hash, input and result (a worker still holding it drops it when it finishes).</summary>
    public void Delete(QueueJob job)
    {
        Retrying(() => Db.KeyDelete([JobKey(job.Id), JobBlobs.InputKey(job.Id), JobBlobs.ResultKey(job.Id)]));
        JobBlobs.DeleteFiles(job);
    }

    /// <summary>
    /// Entries added to the stream that no worker has taken yet (the consumer group's lag), for "images ahead"
    /// displays; 0 when Redis cannot tell.
    /// </summary>
    public long Waiting() => Retrying(() =>
        Db.StreamGroupInfo(Stream).FirstOrDefault(g => g.Name == Group).Lag ?? 0);

    /// <summary>
    /// Takes one job for <paramref name="consumer"/>: first one whose worker went silent for the visibility timeout
    /// (XAUTOCLAIM), else a new one (XREADGROUP). Null when there is none.
    /// </summary>
    public Delivery? Take(string consumer) => Retrying(() =>
    {
        var db = Db;
        StreamEntry[] entries;
        try
        {
            entries = db.StreamAutoClaim(Stream, Group, consumer, (long)Settings.VisibilityTimeout.TotalMilliseconds, "0-0", 1).ClaimedEntries;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP"))
        {
            // A Redis that restarted without persistence lost the group: make it again.
            EnsureGroup();
            return null;
        }
        if (entries is not { Length: > 0 })
            entries = db.StreamReadGroup(Stream, Group, consumer, StreamPosition.NewMessages, 1);
        return entries is { Length: > 0 } ? JobParser.Delivery(entries[0]) : null;
    });

    /// <summary>
    /// Renews a worker's claim on its job (XCLAIM JUSTID resets the idle time) so it is not reclaimed while it works.
    /// One try, not waiting out an outage: the next renewal comes soon, and a lapse costs at most a duplicate restore.
    /// </summary>
    public void Renew(string consumer, Delivery delivery) =>
        Db.StreamClaimIdsOnly(Stream, Group, consumer, 0, [delivery.EntryId]);

    /// <summary>
    /// Counts a new attempt and marks the job running on <paramref name="consumer"/>. Returns the attempt number, or
    /// null when the job's hash is gone (expired or deleted).
    /// </summary>
    public int? BeginAttempt(QueueJob job, string consumer) => Retrying(() =>
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyExists(JobKey(job.Id)));
        var attempts = tx.HashIncrementAsync(JobKey(job.Id), "attempts");
        _ = tx.HashSetAsync(JobKey(job.Id), [new("state", QueueJob.StateName(QueueJobState.Running)), new("worker", consumer), new("progress", "0")]);
        return tx.Execute() ? (int?)(int)attempts.Result : null;
    });

    /// <summary>Publishes the running job's progress (0–1) without waiting for Redis.</summary>
    public void ReportProgress(QueueJob job, double fraction) =>
        Db.HashSet(JobKey(job.Id), "progress", Math.Round(fraction, 4).ToString(System.Globalization.CultureInfo.InvariantCulture), flags: CommandFlags.FireAndForget);

    /// <summary>
    /// Stores the result, marks the job done and acknowledges its entry, in one transaction (so an entry is never
    /// acknowledged without its result). A job deleted or cancelled meanwhile is only acknowledged.
    /// </summary>
    public void Complete(Delivery delivery, QueueJob job, byte[] result) => Retrying(() =>
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyExists(JobKey(job.Id)));
        tx.AddCondition(Condition.HashNotEqual(JobKey(job.Id), "state", QueueJob.StateName(QueueJobState.Cancelled)));
        JobBlobs.PutResult(tx, job, result, Settings.TimeToLive);
        _ = tx.HashSetAsync(JobKey(job.Id), [new("state", QueueJob.StateName(QueueJobState.Done)), new("progress", "1"), new("error", "")]);
        Acknowledge(tx, delivery);
        if (!tx.Execute()) Acknowledge(delivery);
        return 0;
    });

    /// <summary>Records a failed attempt: the job goes back to the end of the queue with its error noted.</summary>
    public void Retry(Delivery delivery, QueueJob job, string error) =>
        Settle(delivery, job, QueueJobState.Queued, error, requeue: true, attemptsDelta: 0);

    /// <summary>Hands a job back untried (a worker stopping): requeued, and the attempt does not count.</summary>
    public void Release(Delivery delivery, QueueJob job) =>
        Settle(delivery, job, QueueJobState.Queued, job.Error, requeue: true, attemptsDelta: -1);

    /// <summary>Marks the job failed for good with <paramref name="error"/> and acknowledges its entry.</summary>
    public void Fail(Delivery delivery, QueueJob job, string error) =>
        Settle(delivery, job, QueueJobState.Failed, error, requeue: false, attemptsDelta: 0);

    /// <summary>
    /// Sets aside an entry that cannot be worked on (a malformed job, garbage in the stream, a job that failed the worker
    /// in an unforeseen way): its job, when it has a hash, is marked failed with <paramref name="reason"/> (which the
    /// submitter shows) and expires with the queue's time-to-live; the entry is acknowledged and recorded, with the
    /// reason, in the stream <c>restormer:dead</c> (<c>redis-cli xrange restormer:dead - +</c>).
    /// </summary>
    public void Reject(Delivery delivery, string consumer, string reason) => Retrying(() =>
    {
        reason = Reason(reason);
        NameValueEntry[] record = [new("entry", delivery.EntryId), new("job", delivery.JobId), new("reason", reason), new("worker", consumer),
                                   new("at", DateTime.UtcNow.ToString("O"))];
        ITransaction tx;
        if (delivery.Problem is null)
        {
            tx = Db.CreateTransaction();
            tx.AddCondition(Condition.KeyExists(JobKey(delivery.JobId)));
            _ = tx.HashSetAsync(JobKey(delivery.JobId), [new("state", QueueJob.StateName(QueueJobState.Failed)), new("error", reason), new("progress", "0")]);
            _ = tx.KeyExpireAsync(JobKey(delivery.JobId), Settings.TimeToLive);
            DeadLetter(tx, delivery, record);
            if (tx.Execute()) return true;
        }
        tx = Db.CreateTransaction(); // no job hash to mark
        DeadLetter(tx, delivery, record);
        return tx.Execute();
    });

    private void DeadLetter(ITransaction tx, Delivery delivery, NameValueEntry[] record)
    {
        Acknowledge(tx, delivery);
        _ = tx.StreamAddAsync(DeadLetters, record, maxLength: DeadLetterLength, useApproximateMaxLength: true);
    }

    /// <summary>Marks a job cancelled so no worker starts it (one already running finishes, and its result is dropped).</summary>
    public void Cancel(QueueJob job) => Retrying(() =>
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyExists(JobKey(job.Id)));
        _ = tx.HashSetAsync(JobKey(job.Id), "state", QueueJob.StateName(QueueJobState.Cancelled));
        return tx.Execute();
    });

    /// <summary>Acknowledges an entry without touching its job (a job that is gone, finished or cancelled).</summary>
    public void Acknowledge(Delivery delivery) => Retrying(() =>
    {
        var tx = Db.CreateTransaction();
        Acknowledge(tx, delivery);
        return tx.Execute();
    });

    private void Settle(Delivery delivery, QueueJob job, QueueJobState state, string? error, bool requeue, int attemptsDelta) => Retrying(() =>
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyExists(JobKey(job.Id)));
        _ = tx.HashSetAsync(JobKey(job.Id), [new("state", QueueJob.StateName(state)), new("error", error is null ? "" : Reason(error)), new("progress", "0")]);
        if (attemptsDelta != 0) _ = tx.HashIncrementAsync(JobKey(job.Id), "attempts", attemptsDelta);
        Acknowledge(tx, delivery);
        if (requeue) _ = tx.StreamAddAsync(Stream, JobField, job.Id);
        if (!tx.Execute()) Acknowledge(delivery);
        return 0;
    });

    private static void Acknowledge(ITransaction tx, Delivery delivery)
    {
        // Deleted as well, so the stream holds only work still to do.
        _ = tx.StreamAcknowledgeAsync(Stream, Group, delivery.EntryId);
        _ = tx.StreamDeleteAsync(Stream, [delivery.EntryId]);
    }

    /// <summary>Runs a Redis call, waiting out connection losses (a restart) for up to the outage tolerance.</summary>
    private T Retrying<T>(Func<T> call)
    {
        var deadline = DateTime.UtcNow + Settings.OutageTolerance;
        while (true)
        {
            try
            {
                return call();
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException
                                      || (e is RedisServerException s && s.Message.StartsWith("LOADING")))
            {
                if (DateTime.UtcNow > deadline)
                    throw new QueueUnavailableException($"Lost the work queue at {Address} for over {Settings.OutageTolerance.TotalMinutes:0.#} min ({FirstLine(e.Message)}): check that redis-server is running.", e);
                Thread.Sleep(500);
            }
            catch (RedisServerException e)
            {
                throw new IOException($"The work queue at {Address} refused a command ({FirstLine(e.Message)}): check its memory limit (maxmemory) and that nothing else uses the keys restormer:*.", e);
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>An error as stored for the submitter: one line (control characters as spaces), at most <see cref="MaxErrorChars"/>.</summary>
    private static string Reason(string error)
    {
        var line = new string(error.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return line.Length <= MaxErrorChars ? line : line[..(MaxErrorChars - 1)] + "…";
    }

    public void Dispose() => redis.Dispose();
}

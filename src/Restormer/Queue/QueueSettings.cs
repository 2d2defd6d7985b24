namespace Restormer.Queue;

/// <summary>How the work queue keeps, hands out and retries jobs; submitters and workers of one queue should agree.</summary>
public sealed record QueueSettings
{
    /// <summary>How long a job's hash, input and result stay in Redis (or its files are meant to stay) when nobody collects them.</summary>
    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Times a job is taken before it is marked failed with its last error (a worker that dies mid-job counts too).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// A job taken by a worker that shows no sign of life for this long is handed to another worker. A working worker
    /// renews its claim every third of it, so this bounds the delay after a crash, not the length of a job.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Submitters: put inputs and results into this folder (mounted at the same path on every machine) instead of Redis.
    /// Workers: the one folder a job may name; a job naming another folder (or any, when this is null) is failed as malformed.
    /// </summary>
    public string? SharedFolder { get; init; }

    /// <summary>How often an idle worker looks for jobs and a submitter for results.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long an unreachable Redis (restarting, network) is waited for before the operation fails.</summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the option when a setting cannot work.</summary>
    public void Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException($"--max-attempts must be at least 1, got {MaxAttempts}.");
        if (VisibilityTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentException("--visibility-timeout must be at least 1 second.");
        if (TimeToLive < TimeSpan.FromMinutes(1)) throw new ArgumentException("--queue-ttl-hours must be at least 0.02 (a minute).");
        if (SharedFolder is { } folder && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Shared folder '{folder}' does not exist: create it (on storage every worker mounts at the same path) or leave out --shared-folder.");
    }
}

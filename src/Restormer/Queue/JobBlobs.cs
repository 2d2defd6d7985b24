using Restormer.IO;
using StackExchange.Redis;

namespace Restormer.Queue;

/// <summary>
/// A job's input and result bytes: Redis strings with the queue's time-to-live beside the job's hash, or files
/// <c>&lt;id&gt;.input</c> / <c>&lt;id&gt;.result</c> in the job's shared folder (for images too large to pass through Redis).
/// Both are keyed by the job id alone, so a retried job overwrites its result with the same bytes. The id and the
/// folder were checked by <see cref="JobParser"/> (an id of safe characters, the queue's own folder), so these paths
/// stay inside that folder.
/// </summary>
internal static class JobBlobs
{
    public static RedisKey InputKey(string id) => $"{WorkQueue.Prefix}job:{id}:input";
    public static RedisKey ResultKey(string id) => $"{WorkQueue.Prefix}job:{id}:result";

    private static string InputFile(string folder, string id) => Path.Combine(folder, $"{id}.input");
    private static string ResultFile(string folder, string id) => Path.Combine(folder, $"{id}.result");

    /// <summary>Stores the input; in Redis as part of <paramref name="transaction"/>, in a folder at once (before the job is queued).</summary>
    public static void PutInput(ITransaction transaction, QueueJob job, byte[] bytes, TimeSpan ttl)
    {
        if (job.SharedFolder is { } folder)
            AtomicFile.Write(InputFile(folder, job.Id), (Stream s) => s.Write(bytes));
        else
            _ = transaction.StringSetAsync(InputKey(job.Id), bytes, ttl);
    }

    public static byte[]? GetInput(IDatabase db, QueueJob job) => Get(db, job, InputKey(job.Id), InputFile);

    public static byte[]? GetResult(IDatabase db, QueueJob job) => Get(db, job, ResultKey(job.Id), ResultFile);

    /// <summary>Stores the result (a folder's file is complete before the job is marked done).</summary>
    public static void PutResult(ITransaction transaction, QueueJob job, byte[] bytes, TimeSpan ttl)
    {
        if (job.SharedFolder is { } folder)
            AtomicFile.Write(ResultFile(folder, job.Id), (Stream s) => s.Write(bytes));
        else
            _ = transaction.StringSetAsync(ResultKey(job.Id), bytes, ttl);
    }

    /// <summary>Deletes the input and result files of a shared-folder job (Redis keys go with the job's keys).</summary>
    public static void DeleteFiles(QueueJob job)
    {
        if (job.SharedFolder is not { } folder) return;
        foreach (var path in new[] { InputFile(folder, job.Id), ResultFile(folder, job.Id) })
            File.Delete(path);
    }

    private static byte[]? Get(IDatabase db, QueueJob job, RedisKey key, Func<string, string, string> file)
    {
        if (job.SharedFolder is not { } folder) return db.StringGet(key) is { IsNull: false } value ? (byte[])value! : null;
        var path = file(folder, job.Id);
        // Submitters and workers write these files (renamed into place), never links or pipes: anything else was put
        // there to make a worker read elsewhere or block.
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) throw new IOException($"'{path}' is a symbolic link, not a file the queue wrote.");
        if (!info.Exists) return null;
        if (FileKind.NotRegular(path) is { } kind) throw new IOException($"'{path}' is {kind}, not a file the queue wrote.");
        return File.ReadAllBytes(path);
    }
}

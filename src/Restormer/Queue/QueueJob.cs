using System.Globalization;
using System.Text.Json;
using Restormer.Imaging;
using Restormer.Inference;
using StackExchange.Redis;

namespace Restormer.Queue;

/// <summary>
/// One image to restore through the work queue, as any front end or worker reads it from the job's Redis hash
/// (<c>restormer:job:&lt;id&gt;</c>, read through <see cref="JobParser"/>). The input and the result are stored beside
/// it (see <see cref="JobBlobs"/>).
/// </summary>
public sealed record QueueJob
{
    /// <summary>Random identifier; also the key of the input and the result, so a retried job overwrites its own result.</summary>
    public required string Id { get; init; }
    /// <summary>A task name (resolved in each worker's models folder) or a weights file path every worker can read.</summary>
    public required string Model { get; init; }
    /// <summary>The input's file name (shown in messages; its extension tells the decoder the format).</summary>
    public required string InputName { get; init; }
    /// <summary>How the worker writes the result: its format (stored as the extension, <c>.png</c>), JPEG/WebP quality and whether EXIF/XMP are kept.</summary>
    public ImageSaveOptions Save { get; init; } = new();
    /// <summary>Settings that change the pixels (tiling, precision, self-ensemble); each worker keeps its own device and threads.</summary>
    public RestoreOptions Options { get; init; } = new();
    /// <summary>A folder every machine mounts at the same path that holds the input and result; null: both live in Redis.</summary>
    public string? SharedFolder { get; init; }
    /// <summary>How many times a worker has taken the job (a reclaimed or retried job counts again).</summary>
    public int Attempts { get; init; }
    public QueueJobState State { get; init; } = QueueJobState.Queued;
    /// <summary>Fraction of the current attempt restored, 0–1.</summary>
    public double Progress { get; init; }
    /// <summary>The last attempt's error (kept while a retry is queued; final once <see cref="State"/> is failed).</summary>
    public string? Error { get; init; }
    /// <summary>The consumer name of the worker that took it last.</summary>
    public string? Worker { get; init; }
    /// <summary>
    /// Why the stored hash cannot be worked on (a missing or malformed field, a folder outside the queue's); null for a
    /// well-formed job. A worker fails such a job with this reason; the fields it concerns hold their defaults.
    /// </summary>
    public string? Problem { get; init; }

    internal HashEntry[] ToHash() =>
    [
        new("model", Model),
        new("name", InputName),
        new("result_ext", Save.Format.Extension()),
        new("quality", Save.Quality),
        new("metadata", Save.KeepMetadata ? "keep" : "strip"),
        new("options", JsonSerializer.Serialize(Options with { Device = "cpu", Threads = null })),
        new("folder", SharedFolder ?? ""),
        new("attempts", Attempts),
        new("state", StateName(State)),
        new("progress", Progress.ToString(CultureInfo.InvariantCulture)),
        new("error", Error ?? ""),
        new("worker", Worker ?? ""),
    ];

    internal static string StateName(QueueJobState state) => state.ToString().ToLowerInvariant();

    /// <summary>True once the job will not change any more.</summary>
    public bool IsFinished => State is QueueJobState.Done or QueueJobState.Failed or QueueJobState.Cancelled;
}

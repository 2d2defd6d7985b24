using Restormer.Inference;

namespace Restormer.Cli.Serve;

/// <summary>Where a job is in its life.</summary>
public enum JobState { Queued, Running, Done, Failed, Cancelled }

/// <summary>
/// One uploaded image waiting for, undergoing or finished with restoration. Its files live in its own folder:
/// the upload, <c>input.png</c> (the decoded upload, shown as "before") and <c>restored.png</c>.
/// </summary>
public sealed class RestoreJob : IProgress<double>
{
    private readonly CancellationTokenSource cancellation = new();
    private readonly object gate = new();
    private double progress;

    internal RestoreJob(string id, RestorationTask task, string weightsPath, string folder, string uploadPath, string fileName, int width, int height)
    {
        Id = id;
        Task = task;
        WeightsPath = weightsPath;
        Folder = folder;
        UploadPath = uploadPath;
        FileName = fileName;
        Width = width;
        Height = height;
    }

    /// <summary>Random, unguessable identifier used in the URLs.</summary>
    public string Id { get; }
    /// <summary>The task chosen on the page.</summary>
    public RestorationTask Task { get; }
    /// <summary>The checkpoint that restores it; jobs with the same checkpoint share a queue and a loaded model.</summary>
    public string WeightsPath { get; }
    /// <summary>The job's own temporary folder.</summary>
    public string Folder { get; }
    /// <summary>The uploaded file as received.</summary>
    public string UploadPath { get; }
    /// <summary>The "before" image: the decoded upload as PNG, orientation applied.</summary>
    public string InputPngPath => Path.Combine(Folder, "input.png");
    /// <summary>The restored PNG, present once <see cref="State"/> is <see cref="JobState.Done"/>.</summary>
    public string ResultPath => Path.Combine(Folder, "restored.png");
    /// <summary>The uploaded file's name, cleaned, for the download name.</summary>
    public string FileName { get; }
    /// <summary>Image width in pixels.</summary>
    public int Width { get; }
    /// <summary>Image height in pixels.</summary>
    public int Height { get; }
    /// <summary>Ticket in its model's queue, to report how many jobs are ahead.</summary>
    internal long Ticket { get; set; }

    /// <summary>Current state.</summary>
    public JobState State { get; private set; } = JobState.Queued;
    /// <summary>Fraction restored, 0–1.</summary>
    public double Progress => Volatile.Read(ref progress);
    /// <summary>Why the job failed, for the page.</summary>
    public string? Error { get; private set; }
    /// <summary>When it started running.</summary>
    public DateTimeOffset? Started { get; private set; }
    /// <summary>When it ended (done, failed or cancelled); its files are kept for the result lifetime after this.</summary>
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>Cancelled when the job is deleted or the server stops.</summary>
    public CancellationToken Cancellation => cancellation.Token;

    /// <summary>The download name: the upload's name with <c>-restored.png</c>.</summary>
    public string ResultFileName => $"{Path.GetFileNameWithoutExtension(FileName)}-restored.png";

    void IProgress<double>.Report(double value) => Volatile.Write(ref progress, Math.Clamp(value, 0, 1));

    /// <summary>True once the job has ended.</summary>
    public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;

    /// <summary>Moves a queued job to running; false when it was cancelled while waiting.</summary>
    internal bool TryStart()
    {
        lock (gate)
        {
            if (State != JobState.Queued) return false;
            Started = DateTimeOffset.UtcNow;
            State = JobState.Running;
            return true;
        }
    }

    internal void MarkDone()
    {
        Volatile.Write(ref progress, 1);
        End(JobState.Done);
    }

    internal void MarkFailed(string error)
    {
        lock (gate) Error = error;
        End(JobState.Failed);
    }

    /// <summary>Stops the job: a queued one ends now, a running one at its next tile.</summary>
    internal void Cancel()
    {
        cancellation.Cancel();
        lock (gate)
            if (State == JobState.Queued) End(JobState.Cancelled);
    }

    internal void MarkCancelled() => End(JobState.Cancelled);

    private void End(JobState state)
    {
        lock (gate)
        {
            if (IsFinished) return;
            Finished = DateTimeOffset.UtcNow;
            State = state;
        }
    }
}

using Restormer.Inference;

namespace Restormer.Cli.Serve;

/// <summary>Settings of the <c>serve</c> web page and API.</summary>
public sealed record ServeOptions
{
    /// <summary>Address to listen on. Loopback by default: the page has no login, so only this computer can use it.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Largest accepted upload; a larger one is answered 413.</summary>
    public long MaxUploadBytes { get; init; } = 50L << 20;

    /// <summary>Where the task weights are looked up, each time the page asks (so files added later are seen).</summary>
    public ModelStore Models { get; init; } = ModelStore.Default;

    /// <summary>Tiling, memory budget, device and threads for every model the server loads.</summary>
    public RestoreOptions Restore { get; init; } = new();

    /// <summary>Images that may wait per model while one is being restored; one more is answered 503.</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>
    /// A work queue (<c>redis://HOST:PORT[/DB]</c>) whose workers restore the uploads instead of this process, so front
    /// ends and workers scale separately; null: restore here.
    /// </summary>
    public string? QueueAddress { get; init; }

    /// <summary>The work queue's settings (with <see cref="QueueAddress"/>).</summary>
    public Restormer.Queue.QueueSettings Queue { get; init; } = new();

    /// <summary>With <see cref="QueueAddress"/>: uploads per model handed to the workers at once (the rest wait here, up to <see cref="QueueCapacity"/>).</summary>
    public int InFlight { get; init; } = 8;

    /// <summary>How long a finished job's images are kept; older ones are deleted.</summary>
    public TimeSpan ResultLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The folder under which the server makes its own temporary folder (deleted on shutdown).</summary>
    public string TempParent { get; init; } = Path.GetTempPath();

    /// <summary>Throws <see cref="ArgumentException"/> naming the option when a setting cannot work.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"--port must be between 0 and 65535, got {Port}.");
        if (MaxUploadBytes <= 0)
            throw new ArgumentException("--max-upload-mb must be positive.");
        if (QueueCapacity < 1)
            throw new ArgumentException($"--queue must be at least 1, got {QueueCapacity}.");
        if (InFlight < 1)
            throw new ArgumentException($"--in-flight must be at least 1, got {InFlight}.");
        if (ResultLifetime <= TimeSpan.Zero)
            throw new ArgumentException("--keep-minutes must be positive.");
        Restore.Validate();
        if (!Directory.Exists(Models.Directory))
            throw new DirectoryNotFoundException($"Models folder '{Models.Directory}' does not exist: create it and put the weights there, or pass --weights-dir <folder>.");
    }
}

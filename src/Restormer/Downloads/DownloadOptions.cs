namespace Restormer.Downloads;

/// <summary>How <see cref="ModelDownloader"/> fetches one file: timeouts, retries and what the result must match.</summary>
public sealed record DownloadOptions
{
    /// <summary>A transfer that receives nothing for this long (connecting included) is abandoned, then retried. Default 30 s.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times an interrupted, stalled or truncated transfer is resumed within one call. Default 3.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>The file is kept only if its SHA-256 is this (hex, any case).</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>The file is kept only if it has exactly this many bytes.</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>
    /// A last check of the complete file before it replaces anything (for weights: it loads as the right checkpoint);
    /// it throws to refuse the file.
    /// </summary>
    public Action<string>? Verify { get; init; }

    /// <summary>
    /// The HTTP handler to use; null means a <see cref="System.Net.Http.SocketsHttpHandler"/> with the system's proxy
    /// settings (on Linux the <c>HTTP_PROXY</c>, <c>HTTPS_PROXY</c>, <c>ALL_PROXY</c> and <c>NO_PROXY</c> variables, lower case too).
    /// </summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Longest stall timeout accepted, in seconds (the CLI's --timeout checks the same bound at parse time).</summary>
    public const int MaxStallSeconds = 3600;

    /// <summary>Most retries accepted (the CLI's --retries checks the same bound at parse time).</summary>
    public const int MaxRetries = 100;

    /// <summary>Throws <see cref="ArgumentException"/> for values that cannot work, naming the allowed range.</summary>
    public void Validate()
    {
        if (StallTimeout <= TimeSpan.Zero || StallTimeout > TimeSpan.FromSeconds(MaxStallSeconds))
            throw new ArgumentException($"The stall timeout must be between 0 and {MaxStallSeconds} s, got {StallTimeout.TotalSeconds} s.");
        if (Retries < 0 || Retries > MaxRetries)
            throw new ArgumentException($"Retries must be between 0 and {MaxRetries}, got {Retries}.");
        if (ExpectedSha256 is { } sha && (sha.Trim().Length != 64 || !sha.Trim().All(Uri.IsHexDigit)))
            throw new ArgumentException($"A SHA-256 has 64 hex digits, got '{sha}'.");
    }
}

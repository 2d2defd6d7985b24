using System.Globalization;
using System.Text.Json;

namespace Restormer.Training;

/// <summary>
/// The run's text log (every message, time-stamped) and its metrics file (one JSON object per line: loss and learning
/// rate per logging interval, scores per validation). Both are append-only and flushed after every line, so a killed
/// run loses at most the line being written; a resumed run appends to the same metrics file.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    readonly StreamWriter text;
    readonly StreamWriter metrics;
    readonly Action<string>? echo, echoWarning;
    readonly Lock gate = new();

    /// <summary>
    /// Opens (appending) <paramref name="logFile"/> and <paramref name="metricsFile"/>; <paramref name="echo"/> and
    /// <paramref name="echoWarning"/> also receive the informational messages and the warnings.
    /// </summary>
    public TrainingLog(string logFile, string metricsFile, Action<string>? echo, Action<string>? echoWarning)
    {
        text = Open(logFile);
        metrics = Open(metricsFile);
        this.echo = echo;
        this.echoWarning = echoWarning;
        LogFile = logFile;
    }

    /// <summary>The text log's path.</summary>
    public string LogFile { get; }

    /// <summary>Logs an informational message.</summary>
    public void Info(string message) => Write("INFO", message, echo);

    /// <summary>Logs a warning.</summary>
    public void Warn(string message) => Write("WARNING", message, echoWarning);

    /// <summary>Writes a long informational message (e.g. the whole option file) to the log file only.</summary>
    public void Detail(string message) => Write("INFO", message, null);

    /// <summary>Appends one record to the metrics file.</summary>
    public void Record(IReadOnlyDictionary<string, object> values)
    {
        var line = JsonSerializer.Serialize(values);
        lock (gate)
            metrics.WriteLine(line);
    }

    void Write(string level, string message, Action<string>? echoTo)
    {
        var stamp = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture);
        lock (gate)
            text.WriteLine($"{stamp} {level}: {message}");
        echoTo?.Invoke(message);
    }

    static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };

    /// <inheritdoc/>
    public void Dispose()
    {
        text.Dispose();
        metrics.Dispose();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Restormer.Imaging;
using Restormer.Inference;
using StackExchange.Redis;

namespace Restormer.Queue;

/// <summary>
/// Where what is read from Redis becomes a job. Any program that reaches the server can write the queue's keys, so
/// stream entries and job hashes are hostile input: every reader (worker, <c>restore --queue</c>, <c>serve --queue</c>)
/// goes through here, and nothing else reads a field. A malformed entry or field does not throw: it gives the
/// <see cref="Delivery"/> or the <see cref="QueueJob"/> a <c>Problem</c>, and the worker fails the job with it
/// instead of dying on it. Ids are letters, digits, '-' and '_' (they become Redis keys and file names), a job's
/// folder must be the queue's own shared folder, and attempts are 0 to <see cref="MaxAttempts"/>.
/// </summary>
internal static partial class JobParser
{
    /// <summary>Highest attempt count accepted (above any <c>--max-attempts</c>; a larger or negative count is tampering).</summary>
    public const int MaxAttempts = 1000;
    private const int MaxOptionsChars = 64 * 1024;
    private const int MaxModelChars = 4096;
    private const int MaxNameBytes = 255;

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex IdPattern();

    /// <summary>Null when <paramref name="id"/> can be a job id (1 to 64 letters, digits, '-' or '_'); else why not.</summary>
    public static string? IdProblem(string id) =>
        IdPattern().IsMatch(id) ? null : $"the job id {Quote(id)} is not 1 to 64 letters, digits, '-' or '_'";

    /// <summary>The job a stream entry names; with a problem when it names none (no <c>job</c> field, or not an id).</summary>
    public static Delivery Delivery(StreamEntry entry)
    {
        var value = entry[WorkQueue.JobField];
        if (value.IsNull) return new Delivery(entry.Id, "", $"the stream entry has no '{WorkQueue.JobField}' field");
        var id = value.ToString();
        return new Delivery(entry.Id, id, IdProblem(id));
    }

    /// <summary>
    /// The job stored in <paramref name="entries"/> (its hash), or null when there is none. <paramref name="sharedFolder"/>
    /// is the only folder a job may name (null: none).
    /// </summary>
    public static QueueJob? Job(string id, HashEntry[] entries, string? sharedFolder)
    {
        if (entries.Length == 0) return null;
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        string? problem = IdProblem(id);
        void Bad(string why) => problem ??= why;
        string? Field(string name) => fields.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
        string Required(string name)
        {
            if (Field(name) is { } value) return value;
            Bad($"it has no '{name}' field");
            return "";
        }

        var model = Required("model");
        if (model.Length > MaxModelChars || model.Length > 0 && RestorationTask.Find(model) is null && !Path.IsPathFullyQualified(model))
            Bad($"'model' is {Quote(model)}: expected a task name or an absolute weights path");
        var name = Required("name");
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes) Bad($"'name' is longer than {MaxNameBytes} bytes");
        var state = Required("state");
        var known = Enum.GetValues<QueueJobState>().FirstOrDefault(s => QueueJob.StateName(s) == state, (QueueJobState)(-1));
        if (known < 0 && state.Length > 0) Bad($"'state' is {Quote(state)}: expected one of {string.Join(", ", Enum.GetValues<QueueJobState>().Select(QueueJob.StateName))}");
        var attemptsText = Required("attempts");
        if (!int.TryParse(attemptsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int attempts) || attempts is < 0 or > MaxAttempts)
        {
            if (attemptsText.Length > 0) Bad($"'attempts' is {Quote(attemptsText)}: expected a whole number from 0 to {MaxAttempts}");
            attempts = 0;
        }

        return new QueueJob
        {
            Id = id,
            Model = model,
            InputName = name,
            Save = Save(Field("result_ext"), Field("quality"), Field("metadata"), Bad),
            Options = Options(Field("options"), Bad),
            SharedFolder = Folder(Field("folder"), sharedFolder, Bad),
            Attempts = attempts,
            State = known < 0 ? QueueJobState.Queued : known,
            Progress = Field("progress") is not { } progress ? 0
                : double.TryParse(progress, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction) && fraction is >= 0 and <= 1 ? fraction
                : Fallback(0.0, $"'progress' is {Quote(progress)}: expected a number from 0 to 1", Bad),
            Error = Field("error"),
            Worker = Field("worker"),
            Problem = problem,
        };
    }

    private static ImageSaveOptions Save(string? extension, string? quality, string? metadata, Action<string> bad)
    {
        var defaults = new ImageSaveOptions();
        var format = extension is null ? defaults.Format
            : ImageFormats.FromPath(extension) is { } known && known.Extension() == extension ? known
            : Fallback(defaults.Format, $"'result_ext' is {Quote(extension)}: expected .png, .jpg, .webp or .tif", bad);
        int level = quality is null ? defaults.Quality
            : int.TryParse(quality, NumberStyles.None, CultureInfo.InvariantCulture, out int q) && q is >= 1 and <= 100 ? q
            : Fallback(defaults.Quality, $"'quality' is {Quote(quality)}: expected 1 to 100", bad);
        // A hash without "metadata" comes from a front end older than the field: it kept EXIF and XMP.
        bool keep = metadata switch
        {
            null or "keep" => true,
            "strip" => false,
            _ => Fallback(true, $"'metadata' is {Quote(metadata)}: expected keep or strip", bad),
        };
        return new ImageSaveOptions { Format = format, Quality = level, KeepMetadata = keep };
    }

    private static RestoreOptions Options(string? json, Action<string> bad)
    {
        if (json is null) return new RestoreOptions();
        if (json.Length > MaxOptionsChars) return Fallback(new RestoreOptions(), $"'options' is longer than {MaxOptionsChars} characters", bad);
        RestoreOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<RestoreOptions>(json);
        }
        catch (JsonException e)
        {
            return Fallback(new RestoreOptions(), $"'options' is not a JSON object of restore settings ({e.Message})", bad);
        }
        if (options is null) return Fallback(new RestoreOptions(), "'options' is not a JSON object of restore settings (null)", bad);
        if (!Enum.IsDefined(options.Precision) || !Enum.IsDefined(options.Runtime))
            return Fallback(new RestoreOptions(), "'options' names an unknown precision or runtime", bad);
        if (options.OnnxModel is { } onnx && !Path.IsPathFullyQualified(onnx))
            return Fallback(new RestoreOptions(), $"'options' names the ONNX model {Quote(onnx)}: expected an absolute path", bad);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            return Fallback(new RestoreOptions(), $"'options': {e.Message}", bad);
        }
        return options;
    }

    /// <summary>The job's folder when it is the queue's own (<paramref name="allowed"/>, compared as full paths), else null with a problem.</summary>
    private static string? Folder(string? folder, string? allowed, Action<string> bad)
    {
        if (folder is null) return null;
        if (allowed is null)
            return Fallback<string?>(null, $"it names the shared folder {Quote(folder)}, but no shared folder was given to this side of the queue (--shared-folder)", bad);
        if (!Path.IsPathFullyQualified(folder) || folder.Contains('\0') || Normalised(folder) != Normalised(allowed))
            return Fallback<string?>(null, $"it names the folder {Quote(folder)}, which is not the queue's shared folder '{Normalised(allowed)}'", bad);
        return Normalised(allowed);
    }

    /// <summary>A folder as an absolute path without "..", "." or a trailing separator.</summary>
    public static string Normalised(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    private static T Fallback<T>(T value, string problem, Action<string> bad)
    {
        bad(problem);
        return value;
    }

    /// <summary>A value for a one-line message: its start, with control characters as '?'.</summary>
    private static string Quote(string value)
    {
        const int Shown = 160;
        var start = new string(value.Take(Shown).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return $"'{start}{(value.Length > Shown ? "…" : "")}'";
    }
}

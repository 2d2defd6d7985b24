using System.Collections.Concurrent;
using Restormer.Checkpoints;

namespace Restormer.Cli.Serve;

/// <summary>
/// Whether a weights file may be offered on the page: <see cref="CheckpointFile.Check"/> (zip directory and pickle, or
/// safetensors header; no tensor data), remembered per file size and write time so listing tasks stays cheap and a
/// replaced file is checked again. A truncated download is then "damaged" in the task list, not "ready".
/// </summary>
public sealed class WeightsCheck
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written, string? Problem)> seen = new();

    /// <summary>Null when <paramref name="path"/> looks like a loadable checkpoint, else the one-line reason.</summary>
    public string? Problem(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) return "missing";
        var (length, written) = (file.Length, file.LastWriteTimeUtc);
        if (seen.TryGetValue(file.FullName, out var known) && known.Length == length && known.Written == written)
            return known.Problem;
        string? problem = null;
        try
        {
            CheckpointFile.Check(path);
        }
        catch (CheckpointException e)
        {
            problem = e.Message;
        }
        seen[file.FullName] = (length, written, problem);
        return problem;
    }
}

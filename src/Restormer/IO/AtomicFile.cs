using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Restormer.IO;

/// <summary>
/// Writes files so that readers only ever see the old file or the complete new one: the content goes to a
/// hidden temporary file in the same folder (same file system, so the final rename is atomic) which is then
/// renamed over the destination. A crash or a full disk leaves at most a stray temporary file, never half an output;
/// the temporary name carries the writer's process id, and the first write into a folder in a process deletes the
/// strays of writers that are gone (see <see cref="RemoveStalePartials"/>).
/// </summary>
public static partial class AtomicFile
{
    /// <summary>A stray whose writer cannot be told (no process id, or one from another machine or a reused id) is removed after this long.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(24);

    static readonly ConcurrentDictionary<string, bool> Swept = new();

    /// <summary>
    /// Calls <paramref name="writeTemporary"/> with a temporary path that keeps the destination's extension (so
    /// encoders that pick the format from the name still work), then renames it to <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, Action<string> writeTemporary)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (Swept.TryAdd(dir, true))
        {
            try { RemoveStalePartials(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // tidying must never stop a write
        }
        var temp = Path.Combine(dir, TemporaryName(full));
        try
        {
            writeTemporary(temp);
            if (!File.Exists(temp))
                throw new IOException($"Writing '{path}' produced no file.");
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Longest file name most file systems take (NAME_MAX), in bytes of UTF-8.</summary>
    const int MaxNameBytes = 255;

    /// <summary>
    /// <c>.stem.partial-pid-guid.ext</c> for <paramref name="full"/>, with the stem shortened (whole characters) when the
    /// name would pass <see cref="MaxNameBytes"/>: a destination whose own name fits must not fail on its temporary name.
    /// </summary>
    static string TemporaryName(string full)
    {
        var suffix = $".partial-{Environment.ProcessId}-{Guid.NewGuid():N}{Path.GetExtension(full)}";
        var stem = Path.GetFileNameWithoutExtension(full);
        int budget = MaxNameBytes - 1 - System.Text.Encoding.UTF8.GetByteCount(suffix);
        while (System.Text.Encoding.UTF8.GetByteCount(stem) > budget)
            stem = stem[..(char.IsLowSurrogate(stem[^1]) && stem.Length > 1 ? ^2 : ^1)];
        return $".{stem}{suffix}";
    }

    /// <summary>Writes <paramref name="writeContent"/> to a stream for <paramref name="path"/> atomically, flushed to disk before the rename.</summary>
    public static void Write(string path, Action<Stream> writeContent) => Write(path, (string temp) =>
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        writeContent(stream);
        stream.Flush(flushToDisk: true);
    });

    /// <summary>
    /// Deletes the temporary files that writers killed before they could clean up (SIGKILL, power loss) left in
    /// <paramref name="directory"/>: those whose process is no longer running, and any older than <see cref="StaleAfter"/>.
    /// Returns how many were removed.
    /// </summary>
    public static int RemoveStalePartials(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int removed = 0;
        foreach (var path in Directory.EnumerateFiles(directory, ".*.partial-*"))
        {
            var match = PartialName().Match(Path.GetFileName(path));
            if (!match.Success) continue;
            bool writerGone = int.TryParse(match.Groups[1].ValueSpan, out int pid) && pid != Environment.ProcessId && !OwnerProcess.IsRunning(pid);
            bool old = File.GetLastWriteTimeUtc(path) < DateTime.UtcNow - StaleAfter;
            if ((writerGone || old) && TryDelete(path)) removed++;
        }
        return removed;
    }

    /// <summary>Our temporary names: <c>.stem.partial-[pid-]guid.ext</c> (without the pid before process ids were added).</summary>
    [GeneratedRegex(@"^\..*\.partial-(?:(\d+)-)?[0-9a-f]{32}(\.[^.]*)?$")]
    private static partial Regex PartialName();

    static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return false;
    }
}

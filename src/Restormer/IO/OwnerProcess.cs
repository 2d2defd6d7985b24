using System.Diagnostics;

namespace Restormer.IO;

/// <summary>
/// Temporary files and folders whose name carries the process id of their owner (<c>&lt;prefix&gt;&lt;pid&gt;-…</c>):
/// a process killed before it could clean up leaves them, and the next process of the same kind removes them when
/// that owner no longer runs. (A reused id only delays the removal; a live owner's folder is never touched.)
/// </summary>
public static class OwnerProcess
{
    /// <summary>Whether a process with this id runs on this machine.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the folders <c>&lt;prefix&gt;&lt;pid&gt;-*</c> in <paramref name="parent"/> whose process is gone; a
    /// folder that cannot be deleted (another user's) is left. Returns how many were removed.
    /// </summary>
    public static int RemoveFoldersOfGone(string parent, string prefix)
    {
        if (!Directory.Exists(parent)) return 0;
        int removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var pidText = Path.GetFileName(dir)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out int pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try
            {
                Directory.Delete(dir, recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }
}

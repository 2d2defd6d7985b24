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
    /// Creates this process's folder <c>&lt;prefix&gt;&lt;pid&gt;-&lt;random&gt;</c> in <paramref name="parent"/> (made if
    /// missing), readable by this user only (it holds their photos), after removing those whose process is gone
    /// (<see cref="RemoveFoldersOfGone"/>); returns its full path.
    /// </summary>
    public static string CreateFolder(string parent, string prefix)
    {
        var full = Path.GetFullPath(parent);
        Directory.CreateDirectory(full);
        RemoveFoldersOfGone(full, prefix);
        return CreatePrivateDirectory(Path.Combine(full, $"{prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
    }

    /// <summary>Creates <paramref name="path"/> (if missing) readable by this user only where the system has such modes (not Windows).</summary>
    public static DirectoryInfo CreatePrivateDirectory(string path) => OperatingSystem.IsWindows()
        ? Directory.CreateDirectory(path)
        : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>
    /// Deletes the folders <c>&lt;prefix&gt;&lt;pid&gt;-*</c> in <paramref name="parent"/> whose process is gone; a
    /// folder that cannot be deleted (another user's) is left.
    /// </summary>
    private static void RemoveFoldersOfGone(string parent, string prefix)
    {
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var pidText = Path.GetFileName(dir)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out int pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}

using Restormer.Platform;

namespace Restormer.IO;

/// <summary>
/// What a path names, asked of the system without opening it: a FIFO or a device opened for reading can block for
/// ever (or never end), so readers ask here first and open regular files only.
/// </summary>
public static class FileKind
{
    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (symbolic links followed); otherwise what it is instead,
    /// for a message: "missing", "a directory", "a FIFO (named pipe)", "a character device", "a loop of symbolic links", …
    /// </summary>
    public static string? NotRegular(string path) => HostSystem.Current.NotRegular(path);
}

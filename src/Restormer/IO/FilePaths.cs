namespace Restormer.IO;

/// <summary>Path helpers for deciding whether two names reach the same file.</summary>
public static class FilePaths
{
    /// <summary>
    /// The absolute path of <paramref name="path"/> with every symbolic link along it resolved, so that two spellings of
    /// one existing file compare equal (the parts that do not exist, and links that lead nowhere or round in a loop, are
    /// kept as written: such a name is no file to compare, and its reader reports it).
    /// </summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var resolved = Path.GetPathRoot(full)!; // "/" on POSIX; a drive or a share on Windows
        foreach (var part in full[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            FileSystemInfo entry = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            var target = entry.Exists && entry.LinkTarget is not null ? FinalTarget(entry) : null;
            resolved = target is null ? next : Canonical(target.FullName);
        }
        return resolved;
    }

    private static FileSystemInfo? FinalTarget(FileSystemInfo link)
    {
        try
        {
            return link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException) // a loop of links (ELOOP)
        {
            return null;
        }
    }
}

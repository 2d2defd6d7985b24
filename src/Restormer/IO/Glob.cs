using System.IO.Enumeration;

namespace Restormer.IO;

/// <summary>
/// Shell-style file name patterns, expanded here so that quoted patterns (and shells that pass them through) work:
/// <c>*</c> and <c>?</c> within a name, <c>**</c> for any number of folders. Hidden entries match only a pattern
/// that starts with a dot, as in the shell. <c>**</c> searches each real folder once, however many symbolic links
/// lead to it (a link to a parent would otherwise be followed until the path is too long).
/// </summary>
public static class Glob
{
    /// <summary>True when <paramref name="text"/> has a wildcard.</summary>
    public static bool IsPattern(string text) => text.IndexOfAny(['*', '?']) >= 0;

    /// <summary>The files matching <paramref name="pattern"/>, spelled as the pattern is (relative or absolute), sorted.</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var start = pattern.StartsWith('/') ? "/" : "";
        var matches = new SortedSet<string>(StringComparer.Ordinal);
        Walk(start, segments, 0, matches, []);
        return [.. matches];
    }

    private static void Walk(string prefix, string[] segments, int index, SortedSet<string> matches, HashSet<(string, int)> searched)
    {
        var folder = prefix.Length == 0 ? "." : prefix;
        if (!Directory.Exists(folder)) return;
        var segment = segments[index];
        bool last = index == segments.Length - 1;
        if (segment == "**")
        {
            if (last || !searched.Add((FilePaths.Canonical(folder), index))) return;
            Walk(prefix, segments, index + 1, matches, searched);
            foreach (var sub in Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')))
                Walk(Path.Combine(prefix, Path.GetFileName(sub)), segments, index, matches, searched);
            return;
        }
        IEnumerable<string> names = IsPattern(segment)
            ? Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>()
                .Where(n => (segment.StartsWith('.') || !n.StartsWith('.')) && FileSystemName.MatchesSimpleExpression(segment, n, ignoreCase: false))
            : [segment];
        foreach (var name in names)
        {
            var path = Path.Combine(prefix, name);
            if (last && File.Exists(path)) matches.Add(path);
            else if (!last && Directory.Exists(path)) Walk(path, segments, index + 1, matches, searched);
        }
    }
}

namespace Restormer.IO;

/// <summary>
/// Turns what a user typed as inputs into the files of a run: image files, shell-style patterns (see <see cref="Glob"/>)
/// and folders (their non-hidden files; with <c>recursive</c> those of every non-hidden sub-folder too, keeping
/// their place in the tree). A file named twice is read once, and a folder reached twice through symbolic links
/// (a link to a parent makes a cycle) is searched once.
/// </summary>
public static class InputFiles
{
    /// <summary>
    /// Expands <paramref name="specs"/> in order (each folder's files sorted by name). <paramref name="excludeFolder"/>
    /// (the run's output folder) is never searched, so a second run does not take the first one's results as inputs.
    /// </summary>
    /// <exception cref="FileNotFoundException">A name that is no file, folder or matching pattern, or a folder with no files.</exception>
    public static IReadOnlyList<InputFile> Expand(IEnumerable<string> specs, bool recursive, string? excludeFolder = null)
    {
        var exclude = excludeFolder is null ? null : Path.GetFullPath(excludeFolder);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<InputFile>();
        foreach (var spec in specs)
        {
            foreach (var file in ExpandOne(spec, recursive, exclude))
                if (seen.Add(Path.GetFullPath(file.Path)))
                    files.Add(file);
        }
        return files;
    }

    private static IEnumerable<InputFile> ExpandOne(string spec, bool recursive, string? exclude)
    {
        if (File.Exists(spec)) return [new InputFile(spec, Path.GetFileName(spec))];
        if (Directory.Exists(spec)) return Folder(spec, recursive, exclude);
        if (Glob.IsPattern(spec))
        {
            var matches = Glob.Expand(spec);
            if (matches.Count == 0)
                throw new FileNotFoundException($"Input pattern '{spec}' matches no file: check the folder and the pattern.");
            return matches.Select(m => new InputFile(m, Path.GetFileName(m)));
        }
        throw new FileNotFoundException($"Input '{spec}' does not exist: give an image file, a folder of images or a pattern such as 'photos/*.jpg'.");
    }

    private static List<InputFile> Folder(string folder, bool recursive, string? exclude)
    {
        var files = new List<InputFile>();
        var skippedFolders = 0;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string dir)
        {
            if (!visited.Add(FilePaths.Canonical(dir))) return;
            files.AddRange(Directory.EnumerateFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
                .Select(f => new InputFile(f, Path.GetRelativePath(folder, f)) { Folder = folder }));
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
            {
                if (exclude is not null && Path.GetFullPath(sub) == exclude) continue;
                if (recursive) Visit(sub);
                else skippedFolders++;
            }
        }
        Visit(folder);
        if (files.Count == 0)
            throw new FileNotFoundException(skippedFolders > 0
                ? $"Input folder '{folder}' has no files, only sub-folders: add --recursive to restore those."
                : $"Input folder '{folder}' has no files: put the images to restore there.");
        return files;
    }
}

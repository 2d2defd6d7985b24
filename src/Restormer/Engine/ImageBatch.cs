namespace Restormer.Engine;

/// <summary>
/// The files one restore run processes and where each result goes: <c>&lt;output&gt;/&lt;input stem&gt;.png</c>, with
/// the extension added to the name when two inputs share a stem, and never a path that is one of the inputs.
/// </summary>
public sealed class ImageBatch
{
    /// <summary>Each input file with the PNG it is restored into, in processing order.</summary>
    public IReadOnlyList<(string Input, string Output)> Items { get; }

    private ImageBatch(IReadOnlyList<(string, string)> items) => Items = items;

    /// <summary>
    /// Plans a run over <paramref name="input"/> (a file, or every non-hidden file of a folder, sorted by name).
    /// Non-image files are kept so the run can report them. Throws before any work when the input is missing or empty
    /// or the output folder cannot be created or written.
    /// </summary>
    public static ImageBatch Plan(string input, string outputDirectory)
    {
        var inputs = Discover(input);
        EnsureWritable(outputDirectory);
        var outputDir = Path.GetFullPath(outputDirectory);
        var inputSet = inputs.Select(Path.GetFullPath).ToHashSet();
        var stems = inputs.GroupBy(p => Path.GetFileNameWithoutExtension(p)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var items = inputs.Select(path =>
        {
            var stem = Path.GetFileNameWithoutExtension(path);
            var name = stems.Contains(stem) ? $"{stem}_{Path.GetExtension(path).TrimStart('.')}" : stem;
            var output = Path.Combine(outputDir, name + ".png");
            if (inputSet.Contains(output))
                output = Path.Combine(outputDir, name + "_restored.png");
            return (path, output);
        }).ToList();
        return new ImageBatch(items);
    }

    private static List<string> Discover(string input)
    {
        if (File.Exists(input)) return [input];
        if (!Directory.Exists(input))
            throw new DirectoryNotFoundException($"Input '{input}' does not exist: give an image file or a folder of images.");
        var files = Directory.EnumerateFiles(input)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new FileNotFoundException($"Input folder '{input}' has no files: put the images to restore there.");
        return files;
    }

    private static void EnsureWritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to output folder '{directory}': {e.Message} Choose a folder you can write to.", e);
        }
    }
}

using Restormer.Imaging;
using Restormer.Video;

namespace Restormer.IO;

/// <summary>
/// Where every result of a run goes, decided before any work so that a run never writes over one of its own inputs,
/// never sends two results to one name and never replaces an existing file unless asked. The output is
/// <list type="bullet">
/// <item><c>-</c>: standard output (one input only);</item>
/// <item>a file, when the run has a single input file and the name ends in an image extension (which picks the format
/// unless one is given) or a video one (<see cref="VideoContainers"/>);</item>
/// <item>else a folder: <c>&lt;folder&gt;/&lt;place in the input tree&gt;/&lt;stem&gt;.&lt;format extension&gt;</c> (a video keeps its
/// container, see <see cref="VideoContainers.OutputExtension"/>), with the input's extension added to the stem
/// (<c>a_jpg.png</c>) when two inputs in one folder share a stem.</item>
/// </list>
/// </summary>
public sealed class OutputPlan
{
    /// <summary>The output name meaning standard output.</summary>
    public const string StandardStream = "-";

    /// <summary>One input and its output; <see cref="Skip"/> when the output exists and the run keeps existing outputs.</summary>
    public sealed record Item(InputFile Input, string Output, bool Skip);

    /// <summary>Every input in processing order.</summary>
    public IReadOnlyList<Item> Items { get; }

    /// <summary>The format all outputs are written in.</summary>
    public ImageFormat Format { get; }

    /// <summary>The folder results go to (the output file's folder for a single file; null for standard output).</summary>
    public string? Folder { get; }

    private OutputPlan(IReadOnlyList<Item> items, ImageFormat format, string? folder) => (Items, Format, Folder) = (items, format, folder);

    /// <summary>
    /// Plans the outputs of <paramref name="inputs"/> into <paramref name="output"/> (see the class summary);
    /// <paramref name="singleFile"/> says the user named exactly one input file, which lets <paramref name="output"/> be a file.
    /// Creates the output folder and checks it can be written.
    /// <paramref name="select"/> keeps the inputs this run restores (a shard): names come from all inputs, so every
    /// run of a split batch names an output alike, but only the kept ones are checked for existing outputs and planned.
    /// </summary>
    /// <exception cref="ArgumentException">The output cannot be what was asked (a file name for many inputs, standard output for many).</exception>
    /// <exception cref="IOException">An output would be an input, two inputs share an output, outputs exist under <see cref="ExistingOutputs.Refuse"/>, or the folder cannot be written. The message names the files and what to do.</exception>
    public static OutputPlan Create(IReadOnlyList<InputFile> inputs, string output, bool singleFile, ImageFormat? format, ExistingOutputs existing,
                                    Func<InputFile, bool>? select = null)
    {
        if (inputs.Count == 0) throw new ArgumentException("No input images were given.");
        if (output == StandardStream)
        {
            if (inputs.Count != 1)
                throw new ArgumentException($"'-o -' writes one image to standard output, but there are {inputs.Count} inputs: give an output folder.");
            return new OutputPlan([.. inputs.Where(select ?? (_ => true)).Select(i => new Item(i, StandardStream, false))], format ?? ImageFormat.Png, null);
        }

        var namedFormat = ImageFormats.FromPath(output);
        bool outputIsFile = (namedFormat is not null || VideoContainers.IsOutput(output)) && !Directory.Exists(output);
        if (outputIsFile && !singleFile)
            throw new ArgumentException($"Output '{output}' is a file name, but the input is {(inputs.Count == 1 ? "a folder or a pattern" : $"{inputs.Count} files")}: give a folder for -o (or a single input file).");
        var chosen = format ?? namedFormat ?? ImageFormat.Png;
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputIsFile ? Path.GetDirectoryName(Path.GetFullPath(output))! : output));
        var targets = outputIsFile ? [Path.GetFullPath(output)] : FolderTargets(inputs, folder, chosen);
        if (!outputIsFile && inputs.FirstOrDefault(i => i.Folder is not null && FilePaths.Canonical(i.Folder) == FilePaths.Canonical(folder)) is { } mixed)
            throw new IOException($"Output folder '{output}' is also the input folder '{mixed.Folder}': results would sit among the inputs " +
                                  "and be taken as inputs by the next run. Choose another output folder (nothing was done).");

        RefuseInputsAsOutputs(inputs, targets);
        RefuseSharedOutputs(inputs, targets);
        var kept = Enumerable.Range(0, inputs.Count).Where(i => select?.Invoke(inputs[i]) ?? true).ToList();
        var present = kept.Select(i => targets[i]).Where(t => File.Exists(t) || Directory.Exists(t)).ToHashSet(StringComparer.Ordinal);
        var folders = present.Where(Directory.Exists).ToList();
        if (folders.Count > 0)
            throw new IOException($"Output '{folders[0]}' is a folder: move it away or choose another output.");
        if (present.Count > 0 && existing == ExistingOutputs.Refuse)
            throw new IOException($"{Count(present.Count, "output")} exist{(present.Count == 1 ? "s" : "")} already: {List(present)}. " +
                                  "Add --overwrite to replace " + (present.Count == 1 ? "it" : "them") + " or --skip-existing to keep " + (present.Count == 1 ? "it" : "them") +
                                  " and restore the rest (nothing was done).");
        EnsureWritable(folder);
        var items = kept.Select(i => new Item(inputs[i], targets[i], existing == ExistingOutputs.Skip && present.Contains(targets[i]))).ToList();
        return new OutputPlan(items, chosen, folder);
    }

    private static List<string> FolderTargets(IReadOnlyList<InputFile> inputs, string folder, ImageFormat format)
    {
        string Place(InputFile f) => Path.GetDirectoryName(f.RelativePath) ?? "";
        string Stem(InputFile f) => Path.Combine(Place(f), Path.GetFileNameWithoutExtension(f.RelativePath));
        var shared = inputs.GroupBy(Stem, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return inputs.Select(f =>
        {
            var stem = Stem(f);
            var name = shared.Contains(stem) ? $"{stem}_{Path.GetExtension(f.RelativePath).TrimStart('.')}" : stem;
            var extension = VideoContainers.IsVideo(f.Path) ? VideoContainers.OutputExtension(f.Path) : format.Extension();
            return Path.GetFullPath(Path.Combine(folder, name + extension));
        }).ToList();
    }

    private static void RefuseInputsAsOutputs(IReadOnlyList<InputFile> inputs, List<string> targets)
    {
        var inputPaths = new Dictionary<string, InputFile>(StringComparer.Ordinal);
        foreach (var input in inputs) inputPaths.TryAdd(FilePaths.Canonical(input.Path), input);
        foreach (var target in targets)
            if (File.Exists(target) && inputPaths.TryGetValue(FilePaths.Canonical(target), out var input))
                throw new IOException($"'{input.Name}' is an input of this run and would also be an output: choose another output " +
                                      "(for example a new folder) so that no input is overwritten (nothing was done).");
    }

    private static void RefuseSharedOutputs(IReadOnlyList<InputFile> inputs, List<string> targets)
    {
        var first = new Dictionary<string, InputFile>(StringComparer.Ordinal);
        foreach (var (input, target) in inputs.Zip(targets))
            if (!first.TryAdd(target, input))
                throw new IOException($"'{first[target].Name}' and '{input.Name}' would both be restored into '{target}': rename one of them " +
                                      "or restore them into different folders (nothing was done).");
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
            // The system's "file already exists" or "could not find a part of the path" hides the usual cause: a file
            // standing where the folder, or one of its parents, would be.
            var reason = FileInTheWay(directory) is { } file ? $"'{file}' is a file, not a folder." : e.Message;
            throw new IOException($"Cannot write to output folder '{directory}': {reason} Choose a folder you can write to.", e);
        }
    }

    /// <summary>The first existing path from <paramref name="directory"/> upwards, when that is a file; else null.</summary>
    private static string? FileInTheWay(string directory)
    {
        for (var path = Path.GetFullPath(directory); path is not null; path = Path.GetDirectoryName(path))
            if (Path.Exists(path))
                return File.Exists(path) ? path : null;
        return null;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string List(IEnumerable<string> paths)
    {
        var all = paths.Order(StringComparer.Ordinal).ToList();
        return string.Join(", ", all.Take(3).Select(p => $"'{p}'")) + (all.Count > 3 ? $" and {all.Count - 3} more" : "");
    }
}

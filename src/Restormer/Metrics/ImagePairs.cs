namespace Restormer.Metrics;

/// <summary>
/// Restored and reference images in two folders matched by file stem, so outputs saved as PNG can be compared with
/// references in any format (<c>0001.png</c> ↔ <c>0001.jpg</c>). Stems found on one side only are kept for warnings.
/// </summary>
public sealed class ImagePairs
{
    /// <summary>File extensions taken as images (case-insensitive); other files are ignored.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Pairs present in both folders, ordered by name.</summary>
    public IReadOnlyList<ImagePair> Matched { get; }

    /// <summary>Stems with a restored image but no reference, ordered.</summary>
    public IReadOnlyList<string> OnlyRestored { get; }

    /// <summary>Stems with a reference but no restored image, ordered.</summary>
    public IReadOnlyList<string> OnlyReference { get; }

    ImagePairs(IReadOnlyList<ImagePair> matched, IReadOnlyList<string> onlyRestored, IReadOnlyList<string> onlyReference) =>
        (Matched, OnlyRestored, OnlyReference) = (matched, onlyRestored, onlyReference);

    /// <summary>Matches the images of two folders (top level only).</summary>
    public static ImagePairs FromFolders(string restoredFolder, string referenceFolder)
    {
        var restored = ImagesByStem(restoredFolder, "restored");
        var reference = ImagesByStem(referenceFolder, "reference");
        var matched = restored.Keys.Where(reference.ContainsKey).Order(StringComparer.Ordinal)
            .Select(stem => new ImagePair(stem, restored[stem], reference[stem])).ToList();
        return new ImagePairs(matched,
            restored.Keys.Where(stem => !reference.ContainsKey(stem)).Order(StringComparer.Ordinal).ToList(),
            reference.Keys.Where(stem => !restored.ContainsKey(stem)).Order(StringComparer.Ordinal).ToList());
    }

    static Dictionary<string, string> ImagesByStem(string folder, string role)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The {role} folder '{folder}' does not exist.");
        var images = Directory.EnumerateFiles(folder).Where(path => Extensions.Contains(Path.GetExtension(path)));
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in images.GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal))
        {
            var files = group.Order(StringComparer.Ordinal).ToList();
            if (files.Count > 1)
                throw new InvalidDataException($"The {role} folder '{folder}' has several images named '{group.Key}' ({string.Join(", ", files.Select(Path.GetFileName))}); keep one per name.");
            byStem[group.Key] = files[0];
        }
        return byStem;
    }
}

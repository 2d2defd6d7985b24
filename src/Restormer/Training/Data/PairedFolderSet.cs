using OpenCvSharp;

namespace Restormer.Training.Data;

/// <summary>
/// Pairs stored as two folders with the same file names (<c>Dataset_PairedImage</c> of the reference):
/// <c>dataroot_lq</c> holds the degraded inputs, <c>dataroot_gt</c> the sharp targets.
/// </summary>
public sealed class PairedFolderSet : IPairedImageSet
{
    readonly (string Lq, string Gt)[] pairs;

    /// <summary>
    /// Pairs every image of <paramref name="gtFolder"/> with the input named <c>filenameTemplate</c> of its base name;
    /// messages name the folders as <paramref name="lqOption"/> and <paramref name="gtOption"/>.
    /// </summary>
    public PairedFolderSet(string lqFolder, string gtFolder, string filenameTemplate = "{}", string lqOption = "dataroot_lq", string gtOption = "dataroot_gt")
    {
        var inputs = ImageFiles.List(lqFolder, lqOption);
        var byStem = inputs.GroupBy(p => Path.GetFileNameWithoutExtension(p)!).ToDictionary(g => g.Key, g => g.ToArray());
        pairs = ImageFiles.List(gtFolder, gtOption).Select(gt =>
        {
            var stem = filenameTemplate.Replace("{}", Path.GetFileNameWithoutExtension(gt));
            if (!byStem.TryGetValue(stem, out var matches))
                throw new InvalidDataException($"Target '{gt}' has no input named '{stem}.*' in {lqOption} '{lqFolder}'; both folders must hold the same file names.");
            var sameExtension = matches.FirstOrDefault(m => Path.GetExtension(m).Equals(Path.GetExtension(gt), StringComparison.OrdinalIgnoreCase));
            return (sameExtension ?? matches[0], gt);
        }).ToArray();
        if (pairs.Length != inputs.Length)
            throw new InvalidDataException($"{lqOption} '{lqFolder}' has {inputs.Length} images but {gtOption} '{gtFolder}' has {pairs.Length}; each input needs exactly one target.");
    }

    /// <inheritdoc/>
    public int Count => pairs.Length;

    /// <inheritdoc/>
    public string NameOf(int index) => Path.GetFileNameWithoutExtension(pairs[index].Gt);

    /// <inheritdoc/>
    public (long Width, long Height) SizeOf(int index) => ImageFiles.Size(pairs[index].Gt);

    /// <summary>The input and target file of pair <paramref name="index"/>.</summary>
    public (string Lq, string Gt) PathsOf(int index) => pairs[index];

    /// <inheritdoc/>
    public (Mat Lq, Mat Gt) Load(int index, Random rng)
    {
        var (lqPath, gtPath) = pairs[index];
        var gt = ImageFiles.Read(gtPath);
        var lq = ImageFiles.Read(lqPath);
        CheckSameSize(lq, lqPath, gt, gtPath);
        return (lq, gt);
    }

    /// <summary>Throws (disposing both) when an input and its target differ in size.</summary>
    internal static void CheckSameSize(Mat lq, string lqPath, Mat gt, string gtPath)
    {
        if (lq.Size() == gt.Size())
            return;
        var message = $"Input '{lqPath}' is {lq.Width}x{lq.Height} but its target '{gtPath}' is {gt.Width}x{gt.Height}; pairs must be aligned and the same size.";
        lq.Dispose();
        gt.Dispose();
        throw new InvalidDataException(message);
    }

    /// <summary>Options of <c>type: Dataset_PairedImage</c>.</summary>
    public sealed record Spec(string LqFolder, string GtFolder, string FilenameTemplate) : IPairedImageSetSpec
    {
        /// <inheritdoc/>
        public string Type => "Dataset_PairedImage";

        /// <inheritdoc/>
        public IPairedImageSet Open() => new PairedFolderSet(LqFolder, GtFolder, FilenameTemplate);
    }
}

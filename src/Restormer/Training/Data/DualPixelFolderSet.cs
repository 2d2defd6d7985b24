using OpenCvSharp;

namespace Restormer.Training.Data;

/// <summary>
/// Dual-pixel defocus pairs (<c>Dataset_DefocusDeblur_DualPixel_16bit</c>): the left and right dual-pixel views in
/// two folders form a 6-channel input, the all-in-focus image in a third folder is the target; 16-bit files keep
/// their precision.
/// </summary>
public sealed class DualPixelFolderSet : IPairedImageSet
{
    readonly PairedFolderSet left, right;

    /// <summary>Pairs the views and targets by file name (inputs named <paramref name="filenameTemplate"/> of the target's name).</summary>
    public DualPixelFolderSet(string leftFolder, string rightFolder, string gtFolder, string filenameTemplate = "{}")
    {
        left = new PairedFolderSet(leftFolder, gtFolder, filenameTemplate);
        right = new PairedFolderSet(rightFolder, gtFolder, filenameTemplate);
    }

    /// <inheritdoc/>
    public int Count => left.Count;

    /// <inheritdoc/>
    public string NameOf(int index) => left.NameOf(index);

    /// <inheritdoc/>
    public (long Width, long Height) SizeOf(int index) => left.SizeOf(index);

    /// <inheritdoc/>
    public (Mat Lq, Mat Gt) Load(int index, Random rng)
    {
        var (leftPath, gtPath) = left.PathsOf(index);
        var rightPath = right.PathsOf(index).Lq;
        var gt = ImageFiles.Read(gtPath);
        using var leftView = ImageFiles.Read(leftPath);
        using var rightView = ImageFiles.Read(rightPath);
        if (leftView.Type() != rightView.Type() || leftView.Size() != rightView.Size())
        {
            gt.Dispose();
            throw new InvalidDataException($"The dual-pixel views '{leftPath}' and '{rightPath}' differ in size or bit depth.");
        }
        var planes = leftView.Split().Concat(rightView.Split()).ToArray();
        var input = new Mat();
        Cv2.Merge(planes, input);
        foreach (var plane in planes) plane.Dispose();
        PairedFolderSet.CheckSameSize(input, leftPath, gt, gtPath);
        return (input, gt);
    }

    /// <summary>Options of <c>type: Dataset_DefocusDeblur_DualPixel_16bit</c>.</summary>
    public sealed record Spec(string LeftFolder, string RightFolder, string GtFolder, string FilenameTemplate) : IPairedImageSetSpec
    {
        /// <inheritdoc/>
        public string Type => "Dataset_DefocusDeblur_DualPixel_16bit";

        /// <inheritdoc/>
        public IPairedImageSet Open() => new DualPixelFolderSet(LeftFolder, RightFolder, GtFolder, FilenameTemplate);
    }
}

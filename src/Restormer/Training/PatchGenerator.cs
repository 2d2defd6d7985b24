using OpenCvSharp;
using Restormer.IO;
using Restormer.Training.Data;

namespace Restormer.Training;

/// <summary>What <see cref="PatchGenerator.Generate"/> did.</summary>
public sealed record PatchGenerationReport(int Pairs, int PatchesWritten, int PatchesSkipped);

/// <summary>
/// Cuts full-resolution training pairs into overlapping square patches, as the reference's
/// <c>generate_patches_gopro.py</c> (512×512, overlap 256): window starts run from 0 in steps of
/// size − overlap, plus one window flush with the far edge, so every pixel is covered. Patches go to
/// <c>input_crops/</c> and <c>target_crops/</c> named <c>&lt;name&gt;-&lt;n&gt;.png</c> (n from 1, row-major), the
/// layout the published option files point at. With a center crop it instead keeps one centred window per pair,
/// as the reference prepares its validation set. Pairs run in parallel; patches already on disk are not rewritten,
/// so an interrupted run can simply be started again.
/// </summary>
public static class PatchGenerator
{
    /// <summary>Sub-folder of the inputs' patches.</summary>
    public const string InputFolder = "input_crops";
    /// <summary>Sub-folder of the targets' patches.</summary>
    public const string TargetFolder = "target_crops";

    /// <summary>Window starts along one axis of <paramref name="length"/> pixels.</summary>
    public static IReadOnlyList<int> Starts(int length, int size, int overlap)
    {
        if (size <= 0 || overlap < 0 || overlap >= size)
            throw new ArgumentException($"Patch size must be positive and the overlap smaller than it (got size {size}, overlap {overlap}).");
        var starts = new List<int>();
        for (int s = 0; s < length - size; s += size - overlap)
            starts.Add(s);
        starts.Add(length - size);
        return starts;
    }

    /// <summary>
    /// Cuts every pair of <paramref name="inputFolder"/>/<paramref name="targetFolder"/> (same file names) into
    /// <paramref name="outputFolder"/>. Images smaller than a patch are copied whole. <paramref name="centerCrop"/>
    /// &gt; 0 keeps a single centred window of that size instead.
    /// </summary>
    public static PatchGenerationReport Generate(string inputFolder, string targetFolder, string outputFolder,
        int size = 512, int overlap = 256, int centerCrop = 0, int workers = 0,
        IProgress<int>? pairsDone = null, CancellationToken cancel = default)
    {
        if (centerCrop <= 0)
            Starts(size, size, overlap); // validates size and overlap before any work
        var pairs = new PairedFolderSet(inputFolder, targetFolder, lqOption: "input folder", gtOption: "target folder");
        var (lqOut, gtOut) = (Path.Combine(outputFolder, InputFolder), Path.Combine(outputFolder, TargetFolder));
        Directory.CreateDirectory(lqOut);
        Directory.CreateDirectory(gtOut);
        int written = 0, skipped = 0, done = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount,
            CancellationToken = cancel,
        };
        Parallel.For(0, pairs.Count, parallel, index =>
        {
            var (w, s) = CutPair(pairs, index, lqOut, gtOut, size, overlap, centerCrop);
            Interlocked.Add(ref written, w);
            Interlocked.Add(ref skipped, s);
            pairsDone?.Report(Interlocked.Increment(ref done));
        });
        return new PatchGenerationReport(pairs.Count, written, skipped);
    }

    static (int Written, int Skipped) CutPair(PairedFolderSet pairs, int index, string lqOut, string gtOut, int size, int overlap, int centerCrop)
    {
        var (lq, gt) = pairs.Load(index, Random.Shared);
        using (lq)
        using (gt)
        {
            var name = pairs.NameOf(index);
            int written = 0, skipped = 0;
            foreach (var (fileName, window) in Windows(name, gt.Height, gt.Width, size, overlap, centerCrop))
            {
                var (lqPath, gtPath) = (Path.Combine(lqOut, fileName), Path.Combine(gtOut, fileName));
                if (File.Exists(lqPath) && File.Exists(gtPath))
                {
                    skipped++;
                    continue;
                }
                Save(lq, window, lqPath);
                Save(gt, window, gtPath);
                written++;
            }
            return (written, skipped);
        }
    }

    /// <summary>The output file names and windows of one image (rows first, as the reference loops).</summary>
    public static IEnumerable<(string FileName, Rect Window)> Windows(string name, int height, int width, int size, int overlap, int centerCrop)
    {
        if (centerCrop > 0)
        {
            var crop = Math.Min(centerCrop, Math.Min(height, width));
            return [($"{name}.png", new Rect((width - crop) / 2, (height - crop) / 2, crop, crop))];
        }
        if (height < size || width < size)
            return [($"{name}.png", new Rect(0, 0, width, height))];
        var rows = Starts(height, size, overlap);
        var columns = Starts(width, size, overlap);
        return rows.SelectMany(top => columns.Select(left => new Rect(left, top, size, size)))
            .Select((window, n) => ($"{name}-{n + 1}.png", window));
    }

    static void Save(Mat image, Rect window, string path)
    {
        using var patch = new Mat(image, window);
        AtomicFile.Write(path, (string temporary) =>
        {
            if (!Cv2.ImWrite(temporary, patch))
                throw new IOException($"Could not write patch '{path}'.");
        });
    }
}

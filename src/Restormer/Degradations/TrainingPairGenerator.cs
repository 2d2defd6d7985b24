using System.Text;
using OpenCvSharp;
using Restormer.Imaging;
using Restormer.IO;

namespace Restormer.Degradations;

/// <summary>What <see cref="TrainingPairGenerator.Generate"/> should make: K degraded copies of every sharp image in a folder.</summary>
/// <param name="InputFolder">Folder of sharp PNG/TIFF/JPEG images (8- or 16-bit; not searched recursively).</param>
/// <param name="OutputFolder">Receives <c>input/</c>, <c>target/</c> and, with <paramref name="SaveKernels"/>, <c>kernels/</c>.</param>
/// <param name="Pipeline">The degradation to apply.</param>
/// <param name="Seed">Base seed; each sample's generator is derived from it, the file's stem and the copy index.</param>
/// <param name="CountPerImage">Degraded copies per sharp image (names get a <c>_k</c> suffix when above 1).</param>
/// <param name="SaveKernels">Also write each blur kernel as a viewable PNG.</param>
public sealed record TrainingPairRequest(
    string InputFolder, string OutputFolder, DegradationPipeline Pipeline, int Seed, int CountPerImage = 1, bool SaveKernels = false);

/// <summary>The outcome of a run: how many images and pairs were written, and each file that was skipped with why.</summary>
public sealed record TrainingPairReport(int ImagesDone, int PairsWritten, IReadOnlyList<string> Skipped);

/// <summary>
/// Makes training pairs from a folder of sharp images: <c>input/NAME.png</c> (degraded) and <c>target/NAME.png</c>
/// (the sharp image, losslessly as PNG) with identical names, as the paired-image dataset expects. Bit depth is
/// kept (8-bit in, 8-bit out; 16-bit in, 16-bit out). Each sample's randomness depends only on the seed, the file's
/// stem and the copy index, so adding or removing files never changes the other samples.
/// </summary>
public static class TrainingPairGenerator
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".tif", ".tiff", ".jpg", ".jpeg", ".webp", ".bmp"];

    /// <summary>
    /// Runs the request, reporting one line per image to <paramref name="progress"/> and each skipped file (unreadable,
    /// unsupported depth or channels, duplicate stem) to <paramref name="skipped"/>. Throws for a missing or image-less
    /// input folder, an output folder that would overwrite the input, or a count below 1.
    /// </summary>
    public static TrainingPairReport Generate(TrainingPairRequest request, Action<string>? progress = null, Action<string>? skipped = null)
    {
        var files = ListImages(request);
        var folders = new[] { "input", "target" }.Concat(request.SaveKernels ? ["kernels"] : Array.Empty<string>())
            .ToDictionary(f => f, f => Directory.CreateDirectory(Path.Combine(request.OutputFolder, f)).FullName);
        var stems = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        int done = 0, pairs = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var stem = Path.GetFileNameWithoutExtension(file);
            var problem = stems.TryGetValue(stem, out var first)
                ? $"it has the same name stem as '{first}', so their pairs would overwrite each other; rename one"
                : TryMakePairs(request, file, stem, folders);
            stems.TryAdd(stem, file);
            if (problem is null)
            {
                done++;
                pairs += request.CountPerImage;
                progress?.Invoke($"[{i + 1}/{files.Count}] {Path.GetFileName(file)}: {request.CountPerImage} pair(s)");
                continue;
            }
            var message = $"skipped '{file}': {problem}";
            failures.Add(message);
            skipped?.Invoke(message);
        }
        return new TrainingPairReport(done, pairs, failures);
    }

    /// <summary>The seed of copy <paramref name="copy"/> of the image named <paramref name="stem"/> (FNV-1a, stable across runs and platforms).</summary>
    public static int SampleSeed(int seed, string stem, int copy)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{seed}\n{stem}\n{copy}"))
            hash = (hash ^ b) * 1099511628211UL;
        return (int)(hash ^ (hash >> 32)) & int.MaxValue;
    }

    static List<string> ListImages(TrainingPairRequest request)
    {
        if (request.CountPerImage < 1)
            throw new ArgumentException($"The count per image must be at least 1; got {request.CountPerImage}.");
        var input = Path.GetFullPath(request.InputFolder);
        if (!Directory.Exists(input))
            throw new DirectoryNotFoundException($"The input folder '{request.InputFolder}' does not exist; point it at a folder of sharp images.");
        var output = Path.GetFullPath(request.OutputFolder);
        if (new[] { output, Path.Combine(output, "input"), Path.Combine(output, "target") }.Any(o => SameFolder(o, input)))
            throw new ArgumentException($"The output folder '{request.OutputFolder}' would write into the input folder '{request.InputFolder}'; choose a separate output folder.");
        var files = Directory.EnumerateFiles(input)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new ArgumentException($"The input folder '{request.InputFolder}' has no images ({string.Join(", ", ImageExtensions)}).");
        return files;
    }

    static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);

    /// <summary>Writes all copies for one file; returns null on success or why the file was skipped.</summary>
    static string? TryMakePairs(TrainingPairRequest request, string file, string stem, Dictionary<string, string> folders)
    {
        using var sharp = TryRead(file, out var problem);
        if (sharp is null) return problem;
        var scale = sharp.Depth() == MatType.CV_16U ? 65535.0 : 255.0;
        using var sharpFloat = new Mat();
        sharp.ConvertTo(sharpFloat, MatType.CV_32F, 1 / scale);
        for (var k = 0; k < request.CountPerImage; k++)
        {
            var name = (request.CountPerImage == 1 ? stem : $"{stem}_{k}") + ".png";
            var (degraded, target, kernel) = request.Pipeline.ApplyPair(sharpFloat, new Random(SampleSeed(request.Seed, stem, k)));
            using (degraded)
            using (target)
            using (kernel)
            {
                WritePng(degraded, sharp.Type(), scale, Path.Combine(folders["input"], name));
                WritePng(target, sharp.Type(), scale, Path.Combine(folders["target"], name));
                if (kernel is not null && folders.TryGetValue("kernels", out var kernels))
                    KernelImage.Save(kernel, Path.Combine(kernels, name));
            }
        }
        return null;
    }

    /// <summary>Reads an 8- or 16-bit grey or colour image (dropping alpha); null with a reason otherwise.</summary>
    static Mat? TryRead(string file, out string? problem)
    {
        problem = null;
        Mat image;
        try { image = ImageDecoder.Read(file, ImreadModes.Unchanged); }
        catch (ImageReadException e) { problem = e.Reason; return null; }
        if (image.Channels() == 2) { image.Dispose(); problem = "it is gray with alpha; only grey, colour and colour+alpha are read"; return null; }
        if (image.Channels() != 4) return image;
        using (image) return image.CvtColor(ColorConversionCodes.BGRA2BGR);
    }

    /// <summary>Writes a float image in [0, 1] as a PNG of <paramref name="type"/> (rounded and saturated to its depth).</summary>
    internal static void WritePng(Mat image, MatType type, double scale, string path) => AtomicFile.Write(path, (string temp) =>
    {
        using var stored = new Mat();
        image.ConvertTo(stored, type, scale);
        if (!Cv2.ImWrite(temp, stored))
            throw new IOException($"OpenCV could not write '{path}'.");
    });
}

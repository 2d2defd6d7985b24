using OpenCvSharp;
using Restormer.Degradations;
using Restormer.Training.Options;

namespace Restormer.Training.Data;

/// <summary>
/// Pairs made on the fly from a folder of sharp photographs (<c>type: SyntheticPairedDataset</c>): each time a pair is
/// loaded, the sharp image is degraded by a <see cref="DegradationPipeline"/> (motion blur, noise, JPEG… as
/// <c>degradation:</c> says) with the generator handed in, so every epoch sees new degradations while a seeded run
/// repeats exactly. A fixed holdout (<c>every_nth_val: n</c>: every n-th image in name order, the n-th, 2n-th, …)
/// goes to the val phase and is never trained on; validation degrades each held-out image the same way every time.
/// With <c>crop_size: c</c> only a c×c window is degraded per load (a random one for training, the centre for
/// validation; see <see cref="DegradationWindow"/>), and decoded images are kept in memory.
/// </summary>
public sealed class SyntheticPairSet : IPairedImageSet
{
    readonly string[] files;
    readonly DegradationPipeline pipeline;
    readonly int cropSize;
    readonly bool randomWindow;
    readonly Lazy<Mat>[] cache;

    SyntheticPairSet(Spec spec)
    {
        pipeline = spec.Pipeline;
        cropSize = spec.CropSize;
        randomWindow = spec.Phase == "train";
        files = HeldOut(ImageFiles.List(spec.SharpFolder, "dataroot_sharp", recursive: true), spec.EveryNthVal, spec.Phase != "train");
        if (files.Length == 0)
            throw new InvalidDataException($"dataroot_sharp '{spec.SharpFolder}' leaves no images for the {spec.Phase} phase with every_nth_val: {spec.EveryNthVal}.");
        cache = files.Select(f => new Lazy<Mat>(() => ImageFiles.Read(f))).ToArray();
    }

    /// <summary>
    /// The held-out split (<paramref name="heldOut"/>) or the rest of <paramref name="files"/> (in name order): every
    /// <paramref name="everyNth"/>-th file, the n-th, 2n-th, …, is held out; 0 holds out nothing.
    /// </summary>
    public static string[] HeldOut(string[] files, int everyNth, bool heldOut) =>
        everyNth > 1 ? files.Where((_, i) => (i % everyNth == everyNth - 1) == heldOut).ToArray() : files;

    /// <summary>The sharp images this phase uses, in order.</summary>
    public IReadOnlyList<string> Files => files;

    /// <inheritdoc/>
    public int Count => files.Length;

    /// <inheritdoc/>
    public string NameOf(int index) => Path.GetFileNameWithoutExtension(files[index]);

    /// <inheritdoc/>
    public (long Width, long Height) SizeOf(int index)
    {
        var (width, height) = ImageFiles.Size(files[index]);
        return cropSize > 0 ? (Math.Min(width, cropSize), Math.Min(height, cropSize)) : (width, height);
    }

    /// <inheritdoc/>
    public (Mat Lq, Mat Gt) Load(int index, Random rng)
    {
        if (cropSize > 0) return DegradationWindow.Degrade(pipeline, cache[index].Value, cropSize, randomWindow, rng);
        using var sharp = ImageFiles.Read(files[index]);
        using var scaled = DegradationWindow.ToFloat(sharp);
        var (degraded, target, kernel) = pipeline.ApplyPair(scaled, rng);
        kernel?.Dispose();
        return (degraded, target);
    }

    /// <summary>Options of <c>type: SyntheticPairedDataset</c>.</summary>
    public sealed record Spec(string SharpFolder, string Phase, int EveryNthVal, DegradationPipeline Pipeline, int CropSize = 0) : IPairedImageSetSpec
    {
        /// <inheritdoc/>
        public string Type => "SyntheticPairedDataset";

        /// <inheritdoc/>
        public IPairedImageSet Open() => new SyntheticPairSet(this);

        internal static Spec Parse(OptionMap map, string phase)
        {
            var every = map.Get("every_nth_val", 0);
            if (every < 0 || every == 1)
                throw new OptionException($"{map.Source}: '{map.PathOf("every_nth_val")}' must be 0 (no holdout) or at least 2.");
            var settings = map.Raw("degradation") switch
            {
                null => new Dictionary<string, object?>(),
                IDictionary<string, object?> d => d,
                _ => throw new OptionException($"{map.Source}: '{map.PathOf("degradation")}' must be a mapping such as {{preset: motion_blur_with_mild_noise}}."),
            };
            DegradationPipeline pipeline;
            try
            {
                pipeline = DegradationPipeline.FromDictionary(settings);
            }
            catch (ArgumentException e)
            {
                throw new OptionException($"{map.Source}: '{map.PathOf("degradation")}': {e.Message}", e);
            }
            var crop = map.Get("crop_size", 0);
            if (crop < 0)
                throw new OptionException($"{map.Source}: '{map.PathOf("crop_size")}' must be 0 (whole images) or a window size in pixels.");
            return new Spec(map.Require<string>("dataroot_sharp"), phase, every, pipeline, crop);
        }
    }
}

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
/// validation), with a margin around it so blur reaches the window's edges from real content: on large photographs
/// that is far cheaper than degrading the whole image for one patch. Decoded images are then kept in memory.
/// </summary>
public sealed class SyntheticPairSet : IPairedImageSet
{
    /// <summary>Pixels degraded around a crop window and cut away after, so blur at its edges sees real content.</summary>
    public const int CropMargin = 32;

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
        var all = ImageFiles.List(spec.SharpFolder, "dataroot_sharp", recursive: true);
        files = spec.EveryNthVal > 1
            ? all.Where((_, i) => (i % spec.EveryNthVal == spec.EveryNthVal - 1) == (spec.Phase != "train")).ToArray()
            : all;
        if (files.Length == 0)
            throw new InvalidDataException($"dataroot_sharp '{spec.SharpFolder}' leaves no images for the {spec.Phase} phase with every_nth_val: {spec.EveryNthVal}.");
        cache = files.Select(f => new Lazy<Mat>(() => ImageFiles.Read(f))).ToArray();
    }

    /// <summary>The sharp images this phase uses, in order.</summary>
    public IReadOnlyList<string> Files => files;

    /// <inheritdoc/>
    public int Count => files.Length;

    /// <inheritdoc/>
    public string NameOf(int index) => Path.GetFileNameWithoutExtension(files[index]);

    /// <inheritdoc/>
    public (Mat Lq, Mat Gt) Load(int index, Random rng)
    {
        var (region, window) = cropSize > 0 ? Window(cache[index].Value, rng) : (ImageFiles.Read(files[index]), (Rect?)null);
        using var scaled = new Mat();
        using (region)
            region.ConvertTo(scaled, MatType.CV_32FC(region.Channels()), region.Depth() == MatType.CV_16U ? 1.0 / 65535 : 1.0 / 255);
        var (degraded, target, kernel) = pipeline.ApplyPair(scaled, rng);
        kernel?.Dispose();
        if (window is not { } inner) return (degraded, target);
        using (degraded)
        using (target)
            return (degraded[inner].Clone(), target[inner].Clone());
    }

    /// <summary>
    /// A copy of the crop window plus its margin (clipped to the image), and where the window lies in that copy: a
    /// random window for training, the centre one for validation. A copy, since the cached image is shared by threads.
    /// </summary>
    (Mat Region, Rect? Window) Window(Mat image, Random rng)
    {
        int width = Math.Min(cropSize, image.Width), height = Math.Min(cropSize, image.Height);
        int left = randomWindow ? rng.Next(0, image.Width - width + 1) : (image.Width - width) / 2;
        int top = randomWindow ? rng.Next(0, image.Height - height + 1) : (image.Height - height) / 2;
        int x0 = Math.Max(0, left - CropMargin), y0 = Math.Max(0, top - CropMargin);
        int x1 = Math.Min(image.Width, left + width + CropMargin), y1 = Math.Min(image.Height, top + height + CropMargin);
        return (image[new Rect(x0, y0, x1 - x0, y1 - y0)].Clone(), new Rect(left - x0, top - y0, width, height));
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

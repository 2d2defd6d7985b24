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
/// </summary>
public sealed class SyntheticPairSet : IPairedImageSet
{
    readonly string[] files;
    readonly DegradationPipeline pipeline;

    SyntheticPairSet(Spec spec)
    {
        pipeline = spec.Pipeline;
        var all = ImageFiles.List(spec.SharpFolder, "dataroot_sharp", recursive: true);
        files = spec.EveryNthVal > 1
            ? all.Where((_, i) => (i % spec.EveryNthVal == spec.EveryNthVal - 1) == (spec.Phase != "train")).ToArray()
            : all;
        if (files.Length == 0)
            throw new InvalidDataException($"dataroot_sharp '{spec.SharpFolder}' leaves no images for the {spec.Phase} phase with every_nth_val: {spec.EveryNthVal}.");
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
        using var sharp = ImageFiles.Read(files[index]);
        var gt = new Mat();
        sharp.ConvertTo(gt, MatType.CV_32FC(sharp.Channels()), sharp.Depth() == MatType.CV_16U ? 1.0 / 65535 : 1.0 / 255);
        return (pipeline.Apply(gt, rng), gt);
    }

    /// <summary>Options of <c>type: SyntheticPairedDataset</c>.</summary>
    public sealed record Spec(string SharpFolder, string Phase, int EveryNthVal, DegradationPipeline Pipeline) : IPairedImageSetSpec
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
            return new Spec(map.Require<string>("dataroot_sharp"), phase, every, pipeline);
        }
    }
}

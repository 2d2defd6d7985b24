using OpenCvSharp;
using Restormer.Degradations;
using Restormer.Training.Options;

namespace Restormer.Training.Data;

/// <summary>
/// Gaussian denoising pairs made from clean images (<c>Dataset_GaussianDenoising</c>): for training, white noise of a
/// standard deviation drawn per patch (<c>sigma_type</c> constant, random in a range, or a choice from a list, in
/// 8-bit units) is added to the cut patch; for validation every image gets noise of <c>sigma_test</c> from a fixed
/// per-image seed, so scores are comparable between validations.
/// </summary>
public sealed class GaussianNoiseSet : IPairedImageSet, IPatchDegradation
{
    readonly string[] files;
    readonly Spec spec;

    GaussianNoiseSet(Spec spec)
    {
        this.spec = spec;
        files = ImageFiles.List(spec.GtFolder, "dataroot_gt");
    }

    /// <inheritdoc/>
    public int Count => files.Length;

    /// <inheritdoc/>
    public string NameOf(int index) => Path.GetFileNameWithoutExtension(files[index]);

    /// <inheritdoc/>
    public (long Width, long Height) SizeOf(int index) => ImageFiles.Size(files[index]);

    /// <inheritdoc/>
    public (Mat Lq, Mat Gt) Load(int index, Random rng)
    {
        var gt = ImageFiles.Read(files[index], grayscale: spec.Channels == 1);
        if (spec.Phase == "train")
            return (gt.Clone(), gt);
        // As the reference: noise on the [0,1] float image, not clipped.
        using var clean = new Mat();
        gt.ConvertTo(clean, MatType.CV_32FC(gt.Channels()), gt.Depth() == MatType.CV_16U ? 1.0 / 65535 : 1.0 / 255);
        return (ImageDegradations.AddGaussianNoise(clean, spec.SigmaTest / 255.0, rng), gt);
    }

    /// <inheritdoc/>
    public void DegradePatch(PlanarImage lq, Random rng)
    {
        var sigma = spec.SigmaType switch
        {
            "constant" => spec.SigmaRange[0],
            "random" => spec.SigmaRange[0] + (spec.SigmaRange[1] - spec.SigmaRange[0]) * rng.NextDouble(),
            _ => spec.SigmaRange[rng.Next(spec.SigmaRange.Length)],
        };
        for (int i = 0; i < lq.Data.Length; i++)
            lq.Data[i] += (float)(sigma / 255.0 * rng.NextGaussian());
    }

    /// <summary>Options of <c>type: Dataset_GaussianDenoising</c>.</summary>
    public sealed record Spec(string GtFolder, string Phase, int Channels, string SigmaType, double[] SigmaRange, double SigmaTest)
        : IPairedImageSetSpec
    {
        /// <inheritdoc/>
        public string Type => "Dataset_GaussianDenoising";

        /// <inheritdoc/>
        public IPairedImageSet Open() => new GaussianNoiseSet(this);

        internal static Spec Parse(OptionMap map, string phase)
        {
            map.Accept("dataroot_lq", "filename_tmpl");
            var channels = map.Get("in_ch", 3);
            if (channels is not (1 or 3))
                throw new OptionException($"{map.Source}: '{map.PathOf("in_ch")}' must be 1 (grey) or 3 (colour).");
            var gt = map.Require<string>("dataroot_gt");
            if (phase != "train")
                return new Spec(gt, phase, channels, "constant", [0], map.Require<double>("sigma_test"));
            var type = map.Require<string>("sigma_type");
            var range = map.Require<double[]>("sigma_range");
            var expected = type switch { "constant" => 1, "random" => 2, "choice" => -1, _ => 0 };
            if (expected == 0)
                throw new OptionException($"{map.Source}: '{map.PathOf("sigma_type")}' must be constant, random or choice, not '{type}'.");
            if ((expected > 0 && range.Length != expected) || range.Length == 0)
                throw new OptionException($"{map.Source}: '{map.PathOf("sigma_range")}' must be one number for constant, [low, high] for random, or a list for choice.");
            return new Spec(gt, phase, channels, type, range, 0);
        }
    }
}

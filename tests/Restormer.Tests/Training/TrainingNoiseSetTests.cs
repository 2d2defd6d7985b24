using OpenCvSharp;
using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

public class TrainingNoiseSetTests
{
    static string OneGrayImage()
    {
        var folder = TestPaths.NewTempDir("restormer-noise");
        using var image = new Mat(64, 64, MatType.CV_8UC3, new Scalar(128, 128, 128));
        Cv2.ImWrite(Path.Combine(folder, "flat.png"), image);
        return folder;
    }

    static double StandardDeviation(float[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
    }

    [Fact]
    public void TrainingPatchesGetNoiseOfTheConfiguredSigmaAfterCutting()
    {
        var spec = new GaussianNoiseSet.Spec(OneGrayImage(), "train", 3, "constant", [25], 0);
        var set = spec.Open();
        var (lq, gt) = set.Load(0, new Random(1));
        using (lq)
        using (gt)
            Assert.Equal(0, Cv2.Norm(lq, gt, NormTypes.INF)); // noise is added to the patch, not here
        var patch = new PlanarImage(new float[3 * 64 * 64], 3, 64, 64);
        ((IPatchDegradation)set).DegradePatch(patch, new Random(2));
        Assert.InRange(StandardDeviation(patch.Data), 25 / 255.0 * 0.95, 25 / 255.0 * 1.05);
    }

    [Fact]
    public void ValidationNoiseRepeatsForTheSameGenerator()
    {
        var spec = new GaussianNoiseSet.Spec(OneGrayImage(), "val", 3, "constant", [0], 15);
        var set = spec.Open();
        var (first, gt) = set.Load(0, new Random(7));
        var (second, gtAgain) = set.Load(0, new Random(7));
        using (gtAgain)
        using (first)
        using (second)
        using (gt)
        {
            Assert.Equal(0, Cv2.Norm(first, second, NormTypes.INF));
            var noisy = PlanarImage.FromMat(first).Data;
            Assert.InRange(StandardDeviation(noisy), 15 / 255.0 * 0.95, 15 / 255.0 * 1.05);
            Assert.InRange(noisy.Average(), 128 / 255.0 - 0.005, 128 / 255.0 + 0.005);
        }
    }

    [Fact]
    public void SigmaListsMustFitTheSigmaType()
    {
        var yaml = """
            name: n
            datasets:
              train: {type: Dataset_GaussianDenoising, dataroot_gt: x, sigma_type: random, sigma_range: [15], gt_size: 8, batch_size_per_gpu: 1}
            network_g: {type: Restormer}
            train: {total_iter: 1, scheduler: {type: CosineAnnealingRestartCyclicLR, periods: [1]}, optim_g: {type: AdamW, lr: 1}, pixel_opt: {type: L1Loss}}
            """;
        var error = Assert.Throws<OptionException>(() => TrainingOptions.FromMap(YamlOptionReader.Parse(new StringReader(yaml), "n.yml")));
        Assert.Contains("[low, high] for random", error.Message);
    }
}

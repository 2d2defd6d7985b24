using Restormer.Model;
using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

public class TrainingOptionsTests
{
    static string Fixture(string name) =>
        Path.Combine(TestPaths.RepoRoot, "tests", "Restormer.Tests", "Training", "Fixtures", "ReferenceOptions", name);

    static TrainingOptions ParseText(string yaml) =>
        TrainingOptions.FromMap(YamlOptionReader.Parse(new StringReader(yaml), "test.yml"));

    public static TheoryData<string> PublishedFiles => new()
    {
        "Deblurring_Restormer.yml",
        "Deraining_Restormer.yml",
        "GaussianColorDenoising_Restormer.yml",
        "GaussianGrayDenoising_Restormer.yml",
        "RealDenoising_Restormer.yml",
        "DefocusDeblur_Single_8bit_Restormer.yml",
        "DefocusDeblur_DualPixel_16bit_Restormer.yml",
    };

    [Theory]
    [MemberData(nameof(PublishedFiles))]
    public void PublishedOptionFilesParseWithTheSharedTrainingRecipe(string file)
    {
        var options = TrainingOptions.Load(Fixture(file));

        Assert.True(options.Warnings.Count == 0, string.Join("\n", options.Warnings));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), options.Name);
        Assert.Equal(8, options.NumGpu);
        Assert.Equal(100, options.ManualSeed);
        Assert.Equal(300000, options.Train.TotalIter);
        Assert.Equal(-1, options.Train.WarmupIter);
        Assert.True(options.Train.UseGradClip);
        Assert.Equal("AdamW", options.Train.Optimizer.Type);
        Assert.Equal(3e-4, options.Train.Optimizer.LearningRate);
        Assert.Equal(1e-4, options.Train.Optimizer.WeightDecay);
        Assert.Equal([0.9, 0.999], options.Train.Optimizer.Betas);
        Assert.Equal("CosineAnnealingRestartCyclicLR", options.Train.Scheduler.Type);
        Assert.Equal([92000, 208000], options.Train.Scheduler.Periods);
        Assert.Equal([1.0, 1.0], options.Train.Scheduler.RestartWeights);
        Assert.Equal([3e-4, 1e-6], options.Train.Scheduler.EtaMins);
        Assert.Equal(1.2, options.Train.Mixup.Beta);
        Assert.True(options.Train.Mixup.UseIdentity);
        Assert.Equal(1.0, options.Train.PixelLossWeight);

        var train = options.TrainSet;
        Assert.Equal(384, train.GtSize);
        Assert.Equal(8, train.BatchSize);
        Assert.True(train.GeometricAugs);
        Assert.Equal([8, 5, 4, 2, 1, 1], train.MiniBatchSizes);
        Assert.Equal([92000, 64000, 48000, 36000, 36000, 24000], train.Iters);
        Assert.Equal([128, 160, 192, 256, 320, 384], train.GtSizes);
        Assert.NotNull(options.ValSet);

        Assert.Null(options.Paths.PretrainNetworkG);
        Assert.Null(options.Paths.ResumeState);
        Assert.True(options.Paths.StrictLoadG);
        Assert.Equal(48, options.Network.Dim);
        Assert.Equal([4, 6, 6, 8], options.Network.NumBlocks);
        Assert.Equal(4, options.Network.NumRefinementBlocks);
        Assert.Equal([1, 2, 4, 8], options.Network.Heads);
        Assert.Equal(2.66, options.Network.FfnExpansionFactor);
        Assert.False(options.Network.Bias);

        Assert.Equal(8, options.Validation!.WindowSize);
        Assert.Equal(4000, options.Validation.Frequency);
        Assert.Equal("psnr", Assert.Single(options.Validation.Metrics).Name);
        Assert.Equal(1000, options.Logger.PrintFrequency);
        Assert.Equal(4000, options.Logger.CheckpointFrequency);
        Assert.True(options.Logger.UseTensorBoard);
    }

    [Fact]
    public void TaskSpecificValuesDifferWhereTheFilesDiffer()
    {
        var deblur = TrainingOptions.Load(Fixture("Deblurring_Restormer.yml"));
        var derain = TrainingOptions.Load(Fixture("Deraining_Restormer.yml"));
        var color = TrainingOptions.Load(Fixture("GaussianColorDenoising_Restormer.yml"));
        var gray = TrainingOptions.Load(Fixture("GaussianGrayDenoising_Restormer.yml"));
        var dual = TrainingOptions.Load(Fixture("DefocusDeblur_DualPixel_16bit_Restormer.yml"));

        var paired = Assert.IsType<PairedFolderSet.Spec>(deblur.TrainSet.Source);
        Assert.Equal("./Motion_Deblurring/Datasets/train/GoPro/input_crops", paired.LqFolder);
        Assert.Equal("./Motion_Deblurring/Datasets/train/GoPro/target_crops", paired.GtFolder);
        Assert.Equal(LayerNormType.WithBias, deblur.Network.LayerNormType);
        Assert.False(deblur.Train.Mixup.Enabled);
        Assert.True(deblur.Validation!.UseImage);
        Assert.False(deblur.Validation.Metrics[0].TestYChannel);
        Assert.True(derain.Validation!.Metrics[0].TestYChannel);

        Assert.Equal(LayerNormType.BiasFree, color.Network.LayerNormType);
        Assert.True(color.Train.Mixup.Enabled);
        Assert.False(color.Validation!.UseImage);
        var noise = Assert.IsType<GaussianNoiseSet.Spec>(color.TrainSet.Source);
        Assert.Equal("random", noise.SigmaType);
        Assert.Equal([0.0, 50.0], noise.SigmaRange);
        Assert.Equal(3, noise.Channels);
        Assert.Equal(25, Assert.IsType<GaussianNoiseSet.Spec>(color.ValSet!.Source).SigmaTest);
        Assert.Equal((1, 1), (gray.Network.InpChannels, gray.Network.OutChannels));
        Assert.Equal(1, Assert.IsType<GaussianNoiseSet.Spec>(gray.TrainSet.Source).Channels);

        Assert.Equal(6, dual.Network.InpChannels);
        Assert.True(dual.Network.DualPixelTask);
        var views = Assert.IsType<DualPixelFolderSet.Spec>(dual.TrainSet.Source);
        Assert.EndsWith("inputR_crops", views.RightFolder);
    }

    const string Minimal = """
        name: tiny
        num_gpu: 0
        manual_seed: ~
        datasets:
          train:
            type: Dataset_PairedImage
            dataroot_lq: lq
            dataroot_gt: gt
            gt_size: 16
            batch_size_per_gpu: 2
        network_g:
          type: Restormer
          dim: 8
        train:
          total_iter: 10
          scheduler: {type: CosineAnnealingRestartCyclicLR, periods: [4, 6], restart_weights: [1, 0.5], eta_mins: [!!float 1e-4, 1e-6]}
          optim_g: {type: AdamW, lr: !!float 3e-4}
          pixel_opt: {type: L1Loss}
        """;

    [Fact]
    public void TildeIsNullAndTaggedFloatsAreNumbers()
    {
        var options = ParseText(Minimal);

        Assert.Null(options.ManualSeed);
        Assert.Equal(0, options.NumGpu);
        Assert.Equal(3e-4, options.Train.Optimizer.LearningRate);
        Assert.Equal([1e-4, 1e-6], options.Train.Scheduler.EtaMins);
        Assert.Equal([0.5], options.Train.Scheduler.RestartWeights[1..]);
        Assert.Empty(options.Warnings);
        // Without progressive lists there is one stage at the full batch and patch size.
        Assert.Equal([2], options.TrainSet.MiniBatchSizes);
        Assert.Equal([16], options.TrainSet.GtSizes);
        // This port's own keys default to the reference's behaviour (one batch per step) and a guard of 5 skipped steps.
        Assert.Equal(1, options.Train.AccumulateGradBatches);
        Assert.Equal(5, options.Train.MaxNonFiniteSteps);
        Assert.False(options.Logger.UseTensorBoard);
    }

    [Fact]
    public void UnknownKeysAreWarningsThatNameTheKey()
    {
        var options = ParseText(Minimal.Replace("total_iter: 10", "total_iter: 10\n  totl_iter: 5") + "\nextra_section: {a: 1}\n");

        Assert.Equal(10, options.Train.TotalIter);
        Assert.Equal(2, options.Warnings.Count);
        Assert.Contains(options.Warnings, w => w.Contains("'train.totl_iter'") && w.Contains("test.yml"));
        Assert.Contains(options.Warnings, w => w.Contains("'extra_section'"));
    }

    [Fact]
    public void ScalarsResolveAsPyYamlDoes()
    {
        Assert.Null(YamlOptionReader.ResolvePlain("~"));
        Assert.Null(YamlOptionReader.ResolvePlain("null"));
        Assert.Equal(true, YamlOptionReader.ResolvePlain("True"));
        Assert.Equal(false, YamlOptionReader.ResolvePlain("no"));
        Assert.Equal(92000L, YamlOptionReader.ResolvePlain("92000"));
        Assert.Equal(2.66, YamlOptionReader.ResolvePlain("2.66"));
        Assert.Equal(4000.0, YamlOptionReader.ResolvePlain("4e3"));
        Assert.Equal("none", YamlOptionReader.ResolvePlain("none"));
        Assert.Equal("./a/b", YamlOptionReader.ResolvePlain("./a/b"));
    }

    [Fact]
    public void QuotedNumbersStayText()
    {
        var map = YamlOptionReader.Parse(new StringReader("a: '42'\nb: !!float 4e3\nc: !!str 7"), "q.yml");
        Assert.Equal("42", map.Get("a", ""));
        Assert.Equal(4000, map.Get("b", 0));
        Assert.Equal("7", map.Get("c", ""));
        var error = Assert.Throws<OptionException>(() => map.Get("a", 0));
        Assert.Contains("'a' must be a whole number", error.Message);
    }

    [Theory]
    [InlineData("total_iter: 10", "total_iter: ten", "'train.total_iter' must be a whole number, but is 'ten'")]
    [InlineData("total_iter: 10", "warmup_iter: 1", "'train.total_iter' is required")]
    [InlineData("periods: [4, 6]", "periods: [2, 3]", "periods add up to 5 iterations but total_iter is 10")]
    [InlineData("type: L1Loss", "type: MSELoss", "only L1Loss")]
    [InlineData("gt_size: 16", "gt_size: 16\n    gt_sizes: [8, 32]\n    mini_batch_sizes: [2, 2]\n    iters: [5, 5]", "'datasets.train.gt_sizes' entries must be between 1 and gt_size (16)")]
    [InlineData("type: Dataset_PairedImage", "type: Dataset_Unknown", "Dataset_Unknown' is not supported")]
    [InlineData("total_iter: 10", "total_iter: 10\n  accumulate_grad_batches: 0", "'train.accumulate_grad_batches' must be at least 1")]
    [InlineData("total_iter: 10", "total_iter: 10\n  max_nonfinite_steps: -1", "'train.max_nonfinite_steps' must be 0 or more")]
    public void BadOptionsFailWithMessagesNamingTheOption(string from, string to, string expected)
    {
        var error = Assert.Throws<OptionException>(() => ParseText(Minimal.Replace(from, to)));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("test.yml:", error.Message);
    }

    [Fact]
    public void MissingFileSaysWhichFile()
    {
        var error = Assert.Throws<OptionException>(() => TrainingOptions.Load("no/such/options.yml"));
        Assert.Contains("no/such/options.yml", error.Message);
    }
}

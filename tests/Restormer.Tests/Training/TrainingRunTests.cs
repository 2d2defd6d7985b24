using System.Text.Json;
using OpenCvSharp;
using Restormer.Checkpoints;
using Restormer.Model;
using Restormer.Training;
using Restormer.Training.Options;
using static TorchSharp.torch;

namespace Restormer.Tests.Training;

/// <summary>Runs alone: the exact-resume test needs libtorch's thread count to stay put (see <see cref="RunsAlone"/>).</summary>
[Collection(nameof(RunsAlone))]
public class TrainingRunTests
{
    /// <summary>Pairs whose inputs are darker copies of random targets: a tiny network can learn them in a few steps.</summary>
    internal static string MakePairs(int count, int size)
    {
        var root = TestPaths.NewTempDir("restormer-train");
        foreach (var sub in new[] { "lq", "gt" })
            Directory.CreateDirectory(Path.Combine(root, sub));
        var rng = new Random(4);
        for (int i = 0; i < count; i++)
        {
            using var target = new Mat(size, size, MatType.CV_8UC3);
            Cv2.Randu(target, new Scalar(rng.Next(60), 40, 40), new Scalar(255, 255 - rng.Next(60), 255));
            using var blurred = new Mat();
            Cv2.GaussianBlur(target, blurred, new OpenCvSharp.Size(5, 5), 1.5);
            using var input = new Mat();
            blurred.ConvertTo(input, MatType.CV_8UC3, 0.6);
            Cv2.ImWrite(Path.Combine(root, "gt", $"i{i}.png"), blurred);
            Cv2.ImWrite(Path.Combine(root, "lq", $"i{i}.png"), input);
        }
        return root;
    }

    internal static string Options(string data, int totalIter, string extraTrain = "", string extraRoot = "", int saveFreq = 1000,
        string network = "dim: 8, num_blocks: [1, 1, 1, 1], num_refinement_blocks: 1, heads: [1, 2, 4, 8]") => $$"""
        name: tiny
        num_gpu: 0
        manual_seed: 7
        datasets:
          train:
            name: pairs
            type: Dataset_PairedImage
            dataroot_lq: {{data}}/lq
            dataroot_gt: {{data}}/gt
            geometric_augs: true
            batch_size_per_gpu: 3
            mini_batch_sizes: [3, 2]
            iters: [3, 100]
            gt_size: 16
            gt_sizes: [8, 16]
            num_worker_per_gpu: 2
        network_g: {type: Restormer, {{network}}, ffn_expansion_factor: 2.66, bias: false, LayerNorm_type: WithBias}
        train:
          total_iter: {{totalIter}}
          use_grad_clip: true
          scheduler: {type: CosineAnnealingRestartCyclicLR, periods: [2, 200], restart_weights: [1, 1], eta_mins: [0.002, 0.0001]}
          mixing_augs: {mixup: true, mixup_beta: 1.2, use_identity: true}
          optim_g: {type: AdamW, lr: !!float 2e-3, weight_decay: !!float 1e-4, betas: [0.9, 0.999]}
          pixel_opt: {type: L1Loss, loss_weight: 1, reduction: mean}
        {{extraTrain}}
        logger: {print_freq: 2, save_checkpoint_freq: {{saveFreq}}}
        {{extraRoot}}
        """;

    internal static TrainingOptions Parse(string yaml, string folder)
    {
        var file = Path.Combine(folder, "options.yml");
        File.WriteAllText(file, yaml);
        return TrainingOptions.Load(file);
    }

    static TrainingResult Train(TrainingOptions options, string experiments, string? resume = null, Action<TrainingProgress>? onIteration = null, CancellationToken cancel = default)
    {
        using var trainer = new Trainer(options, new TrainerSettings { ExperimentsRoot = experiments, ResumeState = resume, OnIteration = onIteration });
        return trainer.Run(cancel);
    }

    internal static Dictionary<string, Tensor> Weights(string file) => CheckpointFile.Load(file).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void ShortRunLowersTheLoss()
    {
        var data = MakePairs(6, 20);
        var options = Parse(Options(data, 40), data);
        var losses = new List<double>();
        var result = Train(options, Path.Combine(data, "experiments"), onIteration: p => losses.Add(p.Loss));

        Assert.Equal(40, losses.Count);
        Assert.False(result.Interrupted);
        Assert.True(losses.TakeLast(8).Average() < 0.6 * losses.Take(4).Average(),
            $"loss went from {losses.Take(4).Average():F4} to {losses.TakeLast(8).Average():F4}");
        Assert.True(result.IterationsPerSecond > 0);
        Assert.True(result.PeakResidentBytes > 0);
    }

    [Fact]
    public void CheckpointsFollowTheReferenceLayoutAndLoadStrictly()
    {
        var data = MakePairs(4, 20);
        var options = Parse(Options(data, 4, saveFreq: 2), data);
        var experiments = Path.Combine(data, "experiments");
        Train(options, experiments);

        var root = Path.Combine(experiments, "tiny");
        foreach (var file in new[] { "models/net_g_2.pth", "models/net_g_4.pth", "models/net_g_latest.pth", "training_states/2.state", "training_states/4.state", "metrics.jsonl" })
            Assert.True(File.Exists(Path.Combine(root, file)), $"{file} is missing");
        Assert.Single(Directory.GetFiles(root, "train_tiny_*.log"));
        Assert.Empty(Directory.GetFiles(root, "*partial*", SearchOption.AllDirectories));

        var saved = Weights(Path.Combine(root, "models", "net_g_4.pth"));
        using var net = new RestormerNet(options.Network);
        net.LoadStateDict(saved, strict: true);
        var latest = Weights(Path.Combine(root, "models", "net_g_latest.pth"));
        Assert.All(saved, p => Assert.True(p.Value.allclose(latest[p.Key], rtol: 0, atol: 0)));
        Assert.Contains(Weights(Path.Combine(root, "models", "net_g_2.pth")), p => !p.Value.allclose(saved[p.Key]));

        var records = File.ReadAllLines(Path.Combine(root, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2, 4], records.Select(r => r.GetProperty("iter").GetInt32()));
        Assert.All(records, r => Assert.True(r.GetProperty("loss").GetDouble() > 0));
        // The logged learning rate is the schedule's: iteration 4 uses step 3, one step into the second cycle.
        Assert.Equal(1e-4 + 0.5 * (2e-3 - 1e-4) * (1 + Math.Cos(Math.PI * 1 / 200)), records[1].GetProperty("lr").GetDouble(), 12);
    }

    [Fact]
    public void InterruptedAndResumedRunEndsWithTheUninterruptedWeights()
    {
        var data = MakePairs(5, 20);
        var options = Parse(Options(data, 6), data);
        var straight = Path.Combine(data, "straight");
        Train(options, straight);

        // Stop after iteration 3 (as Ctrl-C does: the state of the last finished iteration is saved), then resume.
        var split = Path.Combine(data, "split");
        using var stop = new CancellationTokenSource();
        var first = Train(options, split, onIteration: p => { if (p.Iteration == 3) stop.Cancel(); }, cancel: stop.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(3, first.LastIteration);
        var state = Path.Combine(split, "tiny", "training_states", "3.state");
        var seen = new List<long>();
        var second = Train(options, split, resume: state, onIteration: p => seen.Add(p.Iteration));
        Assert.Equal([4, 5, 6], seen);
        Assert.False(second.Interrupted);

        var expected = Weights(Path.Combine(straight, "tiny", "models", "net_g_6.pth"));
        var actual = Weights(Path.Combine(split, "tiny", "models", "net_g_6.pth"));
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected, p => Assert.True(p.Value.allclose(actual[p.Key], rtol: 1e-5, atol: 1e-7), $"{p.Key} differs after resuming"));
        Assert.Contains(expected, p => !p.Value.allclose(Weights(Path.Combine(split, "tiny", "models", "net_g_3.pth"))[p.Key]));
    }

    [Fact]
    public void ExistingStatesAreResumedAutomatically()
    {
        var data = MakePairs(4, 20);
        var options = Parse(Options(data, 2), data);
        var experiments = Path.Combine(data, "experiments");
        Train(options, experiments);
        using var again = new Trainer(options, new TrainerSettings { ExperimentsRoot = experiments });
        Assert.Equal(2, again.StartIteration);
        Assert.Equal(2, again.Run().LastIteration);
    }

    [Fact]
    public void ValidationScoresTheHeldOutPairsAndLogsPsnr()
    {
        var data = MakePairs(4, 20);
        var val = $$"""
            val:
              window_size: 8
              val_freq: 2
              save_img: true
              metrics:
                psnr: {type: calculate_psnr, crop_border: 0, test_y_channel: false}
                ssim: {type: calculate_ssim, crop_border: 0, test_y_channel: false}
            """;
        var yaml = Options(data, 2, extraRoot: val).Replace("network_g:", $"  val: {{name: held, type: Dataset_PairedImage, dataroot_lq: {data}/lq, dataroot_gt: {data}/gt}}\nnetwork_g:");
        var result = Train(Parse(yaml, data), Path.Combine(data, "experiments"));

        var scores = result.LastValidation!;
        Assert.InRange(scores["psnr"], 3, 60);
        Assert.InRange(scores["ssim"], -1, 1);
        var record = File.ReadAllLines(Path.Combine(data, "experiments", "tiny", "metrics.jsonl")).Last();
        Assert.Contains("\"val_psnr\"", record);
        using var saved = Cv2.ImRead(Path.Combine(data, "experiments", "tiny", "visualization", "i0", "i0_2.png"));
        Assert.Equal((20, 20), (saved.Rows, saved.Cols));
    }

    [Fact]
    public void PretrainedWeightsAreLoadedStrictlyOrPartially()
    {
        var data = MakePairs(4, 20);
        var options = Parse(Options(data, 1), data);
        Train(options, Path.Combine(data, "first"));
        var weights = Path.Combine(data, "first", "tiny", "models", "net_g_1.pth");

        var path = $"path: {{pretrain_network_g: {weights}, strict_load_g: true}}";
        using (var fineTune = new Trainer(Parse(Options(data, 1, extraRoot: path), data), new TrainerSettings { ExperimentsRoot = Path.Combine(data, "second") }))
            Assert.Equal(0, fineTune.StartIteration);

        var wider = "dim: 8, num_blocks: [1, 1, 1, 2], num_refinement_blocks: 1, heads: [1, 2, 4, 8]";
        var strict = Parse(Options(data, 1, extraRoot: path, network: wider), data);
        var error = Assert.Throws<CheckpointException>(() => new Trainer(strict, new TrainerSettings { ExperimentsRoot = Path.Combine(data, "third") }));
        Assert.Contains("strict_load_g: false", error.Message);

        var lenient = Parse(Options(data, 1, extraRoot: path.Replace("true", "false"), network: wider), data);
        var messages = new List<string>();
        using var partial = new Trainer(lenient, new TrainerSettings { ExperimentsRoot = Path.Combine(data, "fourth"), EchoWarning = messages.Add });
        Assert.Contains(messages, m => m.Contains("latent.1.") && m.Contains("keeps its initial value"));

        var grow = path.Replace("true", "false").Replace("}", ", identity_new_blocks: true}");
        var grown = Parse(Options(data, 1, extraRoot: grow, network: wider), data);
        Assert.True(grown.Paths.IdentityNewBlocks);
        var info = new List<string>();
        using var deeper = new Trainer(grown, new TrainerSettings { ExperimentsRoot = Path.Combine(data, "fifth"), Echo = info.Add });
        Assert.Contains(info, m => m.Contains("'latent.1'") && m.Contains("identity"));
    }

    [Fact]
    public void CheckpointedBlocksTrainToTheSameWeights()
    {
        var data = MakePairs(4, 20);
        var plain = Parse(Options(data, 2), data);
        var checkpointed = Parse(Options(data, 2, extraTrain: "  checkpoint_blocks: true"), data);
        Assert.True(checkpointed.Train.CheckpointBlocks);
        Train(plain, Path.Combine(data, "plain"));
        Train(checkpointed, Path.Combine(data, "checkpointed"));
        var a = Weights(Path.Combine(data, "plain", "tiny", "models", "net_g_latest.pth"));
        var b = Weights(Path.Combine(data, "checkpointed", "tiny", "models", "net_g_latest.pth"));
        Assert.All(a, p => Assert.True(p.Value.allclose(b[p.Key], rtol: 1e-4, atol: 1e-6), $"{p.Key} differs"));
    }
}

using System.Text.Json;
using OpenCvSharp;
using Restormer.Training;
using Restormer.Training.Data;
using static Restormer.Tests.Training.TrainingRunTests;

namespace Restormer.Tests.Training;

/// <summary>
/// Whole runs with gradient accumulation, the non-finite guard and TensorBoard logging. Runs alone for the same reason
/// as <see cref="TrainingRunTests"/> (exact resume needs libtorch's thread count to stay put).
/// </summary>
[Collection(nameof(RunsAlone))]
public class TrainingScaleTests
{
    static TrainingResult Train(Restormer.Training.Options.TrainingOptions options, string experiments, string? resume = null,
        Action<TrainingBatch>? beforeStep = null, Action<string>? warn = null, Action<TrainingProgress>? onIteration = null, CancellationToken cancel = default)
    {
        using var trainer = new Trainer(options, new TrainerSettings
        {
            ExperimentsRoot = experiments, ResumeState = resume, BeforeStep = beforeStep, EchoWarning = warn, OnIteration = onIteration,
        });
        return trainer.Run(cancel);
    }

    static void InTempData(int pairs, Action<string> test)
    {
        var data = MakePairs(pairs, 20);
        try { test(data); }
        finally { Directory.Delete(data, recursive: true); }
    }

    [Fact]
    public void AccumulatedRunCountsOptimiserStepsAndResumesExactly() => InTempData(5, data =>
    {
        var options = Parse(Options(data, 4, extraTrain: "  accumulate_grad_batches: 2", saveFreq: 2), data);
        Assert.Equal(2, options.Train.AccumulateGradBatches);
        var draws = new List<long>();
        var patchSizes = new List<int>();
        var straight = Path.Combine(data, "straight");
        Train(options, straight, beforeStep: b => { draws.Add(b.Draw); patchSizes.Add(b.Height); });

        // Two loaded batches per optimiser step; the progressive stage (8 px up to iteration 3) follows the step, not the draw.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], draws);
        Assert.Equal([8, 8, 8, 8, 8, 8, 16, 16], patchSizes);
        var root = Path.Combine(straight, "tiny");
        Assert.Equal(["2.state", "4.state"], Directory.GetFiles(Path.Combine(root, "training_states")).Select(Path.GetFileName).Order());
        var records = File.ReadAllLines(Path.Combine(root, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2, 4], records.Select(r => r.GetProperty("iter").GetInt32()));
        Assert.Equal(1e-4 + 0.5 * (2e-3 - 1e-4) * (1 + Math.Cos(Math.PI * 1 / 200)), records[1].GetProperty("lr").GetDouble(), 12);

        var split = Path.Combine(data, "split");
        using var stop = new CancellationTokenSource();
        Train(options, split, onIteration: p => { if (p.Iteration == 3) stop.Cancel(); }, cancel: stop.Token);
        var resumed = new List<long>();
        Train(options, split, resume: Path.Combine(split, "tiny", "training_states", "3.state"), beforeStep: b => resumed.Add(b.Draw));
        Assert.Equal([7, 8], resumed);
        var expected = Weights(Path.Combine(root, "models", "net_g_4.pth"));
        var actual = Weights(Path.Combine(split, "tiny", "models", "net_g_4.pth"));
        Assert.All(expected, p => Assert.True(p.Value.allclose(actual[p.Key], rtol: 1e-5, atol: 1e-7), $"{p.Key} differs after resuming"));
    });

    [Fact]
    public void ANonFiniteStepIsSkippedWithAWarningNamingItsIteration() => InTempData(4, data =>
    {
        var options = Parse(Options(data, 4), data);
        var warnings = new List<string>();
        var result = Train(options, Path.Combine(data, "experiments"), warn: warnings.Add,
            beforeStep: b => { if (b.Draw == 3) b.Lq[0] = float.NaN; });

        Assert.Null(result.Failure);
        Assert.False(result.Interrupted);
        Assert.Equal(4, result.LastIteration);
        Assert.Equal([3], result.SkippedIterations);
        Assert.Contains(warnings, w => w.StartsWith("Iteration 3: non-finite loss (NaN)") && w.Contains("skipped (1 in a row)"));
        Assert.True(double.IsFinite(result.LastLoss));
        Assert.All(Weights(Path.Combine(data, "experiments", "tiny", "models", "net_g_4.pth")),
            p => Assert.False(p.Value.isnan().any().item<bool>(), $"{p.Key} holds NaN"));
    });

    [Fact]
    public void ARunOfNonFiniteStepsStopsKeepingTheLastGoodState() => InTempData(4, data =>
    {
        var options = Parse(Options(data, 8, extraTrain: "  max_nonfinite_steps: 2"), data);
        var result = Train(options, Path.Combine(data, "experiments"), beforeStep: b => { if (b.Draw >= 3) b.Gt[1] = float.PositiveInfinity; });

        // Iterations 3 and 4 are skipped; the third in a row (5) stops the run. Nothing after iteration 2 was applied,
        // so the weights and moments are iteration 2's and are saved as its state.
        Assert.Equal([3, 4, 5], result.SkippedIterations);
        Assert.Equal(5, result.LastIteration);
        Assert.False(result.Interrupted);
        Assert.NotNull(result.Failure);
        Assert.Contains("stopped at iteration 5: 3 steps in a row had a non-finite loss or gradient norm", result.Failure);
        var root = Path.Combine(data, "experiments", "tiny");
        var state = Path.Combine(root, "training_states", "2.state");
        Assert.Contains($"--resume {state}", result.Failure);
        Assert.Equal([state], Directory.GetFiles(Path.Combine(root, "training_states")));
        Assert.All(Weights(Path.Combine(root, "models", "net_g_2.pth")), p => Assert.False(p.Value.isnan().any().item<bool>() || p.Value.isinf().any().item<bool>()));

        // The saved state is exactly iteration 2 of a clean run.
        var clean = Parse(Options(data, 2), data);
        Train(clean, Path.Combine(data, "clean"));
        var expected = Weights(Path.Combine(data, "clean", "tiny", "models", "net_g_2.pth"));
        Assert.All(Weights(Path.Combine(root, "models", "net_g_2.pth")), p => Assert.True(p.Value.allclose(expected[p.Key], rtol: 1e-5, atol: 1e-7)));
    });

    [Fact]
    public void TensorBoardEventFilesHoldLossLearningRateScoresAndImages() => InTempData(4, data =>
    {
        var val = """
            val:
              window_size: 8
              val_freq: 2
              metrics:
                psnr: {type: calculate_psnr, crop_border: 0, test_y_channel: false}
            """;
        var yaml = Options(data, 4, extraRoot: val)
            .Replace("logger: {print_freq: 2,", "logger: {use_tb_logger: true, print_freq: 2,")
            .Replace("network_g:", $"  val: {{name: held, type: Dataset_PairedImage, dataroot_lq: {data}/lq, dataroot_gt: {data}/gt}}\nnetwork_g:");
        var options = Parse(yaml, data);
        Assert.True(options.Logger.UseTensorBoard);
        Train(options, Path.Combine(data, "experiments"));

        var file = Assert.Single(Directory.GetFiles(Path.Combine(data, "tb_logger", "tiny"), "events.out.tfevents.*"));
        var events = TensorBoardEvents.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var values = events.Skip(1).Select(e => (e.Step, Value: Assert.Single(e.Summary.Value))).ToList();
        float[] Scalars(string tag) => [.. values.Where(v => v.Value.Tag == tag).Select(v => v.Value.SimpleValue)];
        long[] Steps(string tag) => [.. values.Where(v => v.Value.Tag == tag).Select(v => v.Step)];

        var records = File.ReadAllLines(Path.Combine(data, "experiments", "tiny", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var losses = records.Where(r => r.TryGetProperty("loss", out _)).ToList();
        var scores = records.Where(r => r.TryGetProperty("val_psnr", out _)).ToList();
        Assert.Equal([2, 4], Steps("losses/l_pix"));
        Assert.Equal(losses.Select(r => (float)r.GetProperty("loss").GetDouble()), Scalars("losses/l_pix"));
        Assert.Equal(losses.Select(r => (float)r.GetProperty("lr").GetDouble()), Scalars("lr"));
        Assert.Equal([2, 4], Steps("metrics/psnr"));
        Assert.Equal(scores.Select(r => r.GetProperty("val_psnr").GetDouble()), Scalars("metrics/psnr").Select(v => (double)v), new Tolerance(1e-5));
        Assert.Equal([2, 4], Steps("val/i0"));
        var image = values.First(v => v.Value.Tag == "val/i0").Value.Image;
        using var decoded = Cv2.ImDecode(image.EncodedImageString.ToByteArray(), ImreadModes.Unchanged);
        Assert.Equal((20, 20, 3), (decoded.Rows, decoded.Cols, decoded.Channels()));
        Assert.Equal((20, 20, 3), (image.Height, image.Width, image.Colorspace));
    });

    sealed class Tolerance(double relative) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= relative * Math.Max(Math.Abs(x), Math.Abs(y));
        public int GetHashCode(double value) => 0;
    }
}

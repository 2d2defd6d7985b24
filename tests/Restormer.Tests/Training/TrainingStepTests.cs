using System.Text.Json;
using Restormer.Checkpoints;
using Restormer.Interop;
using Restormer.Model;
using Restormer.Tests.Model;
using Restormer.Training;
using Restormer.Training.Options;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Restormer.Tests.Training;

/// <summary>
/// The trainer's step (<see cref="TrainingStep"/>) against one reference iteration of PyTorch 1.13
/// (../shared/fixtures/training), and gradient accumulation against one large batch. Runs alone: it pauses the
/// garbage collector (<see cref="GcPause"/>), which is process-wide.
/// </summary>
[Collection(nameof(RunsAlone))]
public class TrainingStepTests(ITestOutputHelper output)
{
    static string Fixture(string file) => Path.Combine(TestPaths.Shared, "fixtures", "training", file);

    static TrainOptions Train(bool clip = true, string reduction = "mean", double lr = 3e-4, double weightDecay = 1e-4) => new()
    {
        TotalIter = 1,
        UseGradClip = clip,
        PixelLossReduction = reduction,
        Scheduler = new SchedulerOptions(),
        Optimizer = new OptimizerSettings { LearningRate = lr, WeightDecay = weightDecay },
    };

    static AdamW AdamW(RestormerNet net, TrainOptions train) =>
        optim.AdamW(net.parameters(), train.Optimizer.LearningRate, train.Optimizer.Betas[0], train.Optimizer.Betas[1], train.Optimizer.Eps, train.Optimizer.WeightDecay);

    /// <summary>The largest |actual − expected| of each tensor relative to the expected tensor's largest magnitude, and the worst tensor.</summary>
    static (double Error, string Name) WorstRelativeError(IEnumerable<(string Name, Tensor Actual)> actual, IReadOnlyDictionary<string, Tensor> expected)
    {
        var worst = (Error: 0.0, Name: "");
        foreach (var (name, value) in actual)
        {
            var reference = expected[name];
            var error = (value - reference).abs().max().item<float>() / reference.abs().max().item<float>();
            if (error > worst.Error) worst = (error, name);
        }
        return worst;
    }

    [Fact]
    public void ThreeStepsMatchTheReferenceGradientsAndWeights()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Fixture("case.json")));
        var root = document.RootElement;
        var optimizer = root.GetProperty("optimizer");
        Assert.Equal(TrainingStep.GradientClipNorm, optimizer.GetProperty("grad_clip_max_norm").GetDouble());
        var train = Train(lr: optimizer.GetProperty("lr").GetDouble(), weightDecay: optimizer.GetProperty("weight_decay").GetDouble());
        Assert.Equal(optimizer.GetProperty("eps").GetDouble(), train.Optimizer.Eps);
        Assert.Equal(optimizer.GetProperty("betas").EnumerateArray().Select(b => b.GetDouble()), train.Optimizer.Betas);
        double[] losses = [.. root.GetProperty("loss_per_step").EnumerateArray().Select(e => e.GetDouble())];
        double[] norms = [.. root.GetProperty("grad_norm_before_clip").EnumerateArray().Select(e => e.GetDouble())];
        long[] shape = [.. root.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt64())];

        using var net = new RestormerNet(ParityCase.ConfigOf(root.GetProperty("config")));
        net.LoadStateDict(CheckpointFile.Load(Fixture("start.pth")), strict: true);
        net.train();
        using var adamW = AdamW(net, train);
        var step = new TrainingStep(net, adamW, train);
        using var input = ParityCase.ReadF32(Fixture("batch.input.f32"), shape);
        using var target = ParityCase.ReadF32(Fixture("batch.target.f32"), shape);

        for (var i = 0; i < 3; i++)
        {
            var loss = GcPause.Run(() => step.Accumulate(input, target));
            if (i == 0)
            {
                var grads = CheckpointFile.Load(Fixture("grads.pth"));
                Assert.Equal(grads.Keys.Order(), net.named_parameters().Select(p => p.name).Order());
                var (error, name) = WorstRelativeError(net.named_parameters().Select(p => (p.name, p.parameter.grad!)), grads);
                output.WriteLine($"gradients at step 1: largest error {error:E2} of the tensor's max ({name})");
                Assert.True(error < 1e-4, $"gradient of {name} differs by {error:E2} of its largest value");
            }
            var outcome = GcPause.Run(() => step.Apply(train.Optimizer.LearningRate));
            output.WriteLine($"step {i + 1}: loss {loss:R} (reference {losses[i]:R}), gradient norm {outcome.GradientNorm:R} (reference {norms[i]:R})");
            Assert.True(outcome.Applied);
            Assert.Equal(losses[i], loss, losses[i] * 1e-5);
            Assert.Equal(losses[i], outcome.Loss, losses[i] * 1e-5);
            Assert.Equal(norms[i], outcome.GradientNorm, norms[i] * 1e-4);
        }

        var after = CheckpointFile.Load(Fixture("after3.pth"));
        var weights = net.state_dict();
        Assert.Equal(after.Keys.Order(), weights.Keys.Order());
        var (weightError, weightName) = WorstRelativeError(weights.Select(p => (p.Key, p.Value)), after);
        output.WriteLine($"weights after 3 steps: largest error {weightError:E2} of the tensor's max ({weightName})");
        Assert.True(weightError < 1e-5, $"weight {weightName} differs by {weightError:E2} of its largest value after three steps");
    }

    /// <summary>Two networks with the same random weights, each with its AdamW.</summary>
    static (RestormerNet Net, AdamW Optimizer)[] Twins(TrainOptions train)
    {
        var config = new RestormerConfig { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1 };
        random.manual_seed(11);
        var first = new RestormerNet(config);
        var second = new RestormerNet(config);
        second.LoadStateDict(first.state_dict(), strict: true);
        return [(first, AdamW(first, train)), (second, AdamW(second, train))];
    }

    [Theory]
    [InlineData("mean", true)]
    [InlineData("mean", false)]
    [InlineData("sum", true)]
    public void AccumulatedMicroBatchesEqualOneLargeBatch(string reduction, bool clip)
    {
        var train = Train(clip, reduction, lr: 1e-3);
        var twins = Twins(train);
        var generator = new Generator(5);
        using var input = rand([4, 3, 16, 16], generator: generator);
        using var target = rand([4, 3, 16, 16], generator: generator);
        var large = new TrainingStep(twins[0].Net, twins[0].Optimizer, train);
        var micro = new TrainingStep(twins[1].Net, twins[1].Optimizer, train);
        var initial = twins[0].Net.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        for (var i = 0; i < 2; i++)
        {
            GcPause.Run(() => large.Accumulate(input, target));
            GcPause.Run(() =>
            {
                micro.Accumulate(input.narrow(0, 0, 2), target.narrow(0, 0, 2), microBatches: 2);
                micro.Accumulate(input.narrow(0, 2, 2), target.narrow(0, 2, 2), microBatches: 2);
            });
            var (error, name) = WorstRelativeError(twins[1].Net.named_parameters().Select(p => (p.name, p.parameter.grad!)),
                twins[0].Net.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter.grad!));
            Assert.True(error < 1e-5, $"accumulated gradient of {name} differs by {error:E2}");
            var one = GcPause.Run(() => large.Apply(1e-3));
            var two = GcPause.Run(() => micro.Apply(1e-3));
            Assert.Equal(one.Loss, two.Loss, Math.Abs(one.Loss) * 1e-6);
            Assert.Equal(one.GradientNorm, two.GradientNorm, one.GradientNorm * 1e-5);
        }
        var (weightError, weightName) = WorstRelativeError(twins[1].Net.state_dict().Select(p => (p.Key, p.Value)), twins[0].Net.state_dict());
        output.WriteLine($"{reduction}, clip {clip}: weights after 2 steps differ by at most {weightError:E2} of a tensor's max ({weightName})");
        // Adam divides by the root of the second moment, so gradients equal to float rounding give weights equal to a little more.
        Assert.True(weightError < 5e-5, $"{weightName} differs by {weightError:E2} after two accumulated steps");
        Assert.Contains(twins[0].Net.state_dict(), p => !p.Value.allclose(initial[p.Key]));
        foreach (var (net, optimizer) in twins) { optimizer.Dispose(); net.Dispose(); }
    }

    [Fact]
    public void NonFiniteLossSkipsTheUpdateAndClearsTheGradients()
    {
        var train = Train(lr: 1e-3);
        var twins = Twins(train);
        var (net, optimizer) = twins[0];
        var step = new TrainingStep(net, optimizer, train);
        using var input = rand([2, 3, 16, 16]);
        using var target = rand([2, 3, 16, 16]);
        using var poisoned = input.clone();
        poisoned[0, 0, 0, 0] = tensor(float.NaN);

        GcPause.Run(() => step.Accumulate(poisoned, target));
        var skipped = GcPause.Run(() => step.Apply(1e-3));
        Assert.False(skipped.Applied);
        Assert.True(double.IsNaN(skipped.Loss));
        Assert.All(net.state_dict(), p => Assert.True(p.Value.allclose(twins[1].Net.state_dict()[p.Key], rtol: 0, atol: 0), $"{p.Key} changed in a skipped step"));
        Assert.All(net.parameters(), p => Assert.Equal(0, p.grad!.abs().sum().item<float>()));

        // The next finite step is exactly the first step of an untouched twin.
        var clean = new TrainingStep(twins[1].Net, twins[1].Optimizer, train);
        GcPause.Run(() => { step.Accumulate(input, target); clean.Accumulate(input, target); });
        Assert.True(GcPause.Run(() => step.Apply(1e-3)).Applied);
        GcPause.Run(() => clean.Apply(1e-3));
        Assert.All(net.state_dict(), p => Assert.True(p.Value.allclose(twins[1].Net.state_dict()[p.Key], rtol: 1e-6, atol: 1e-9), $"{p.Key} differs after the skip"));
        foreach (var (n, o) in twins) { o.Dispose(); n.Dispose(); }
    }
}

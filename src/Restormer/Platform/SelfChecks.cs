using Restormer.Engine;
using Restormer.Inference;
using Restormer.Interop;
using Restormer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Platform;

/// <summary>One self-check's outcome: its name, whether it held, and what was measured against what bound.</summary>
public sealed record SelfCheck(string Name, bool Passed, string Detail);

/// <summary>
/// Checks that this machine computes the network right, offline and in seconds, on a small built-in network (width 8,
/// one block per level, weights drawn from a fixed seed): every available runtime against the same network in float64,
/// and a training step's gradients against float64. float64 is the reference because libtorch computes it with its
/// own kernels (oneDNN takes only float32 and lower), so a fault of the fast paths cannot hide in it.
/// </summary>
public static class SelfChecks
{
    /// <summary>Largest difference from the float64 output allowed for a float32 runtime: a quarter of an 8-bit level.</summary>
    public const double Float32Tolerance = 1.0 / 255 / 4;

    /// <summary>Largest difference allowed for bf16 (activations and weights rounded to 8 bits of mantissa): two 8-bit levels.</summary>
    public const double BFloat16Tolerance = 2.0 / 255;

    /// <summary>Largest gradient error allowed, relative to the largest gradient of the network.</summary>
    public const double GradientTolerance = 1e-3;

    private static readonly RestormerConfig Network = new() { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1, Heads = [1, 2, 4, 8] };

    /// <summary>The engine (fp32, and bf16 where the CPU has it natively), the libtorch module and ONNX Runtime, each against float64.</summary>
    public static IReadOnlyList<SelfCheck> Runtimes()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var model = BuiltInNetwork();
        var input = Draw([1, 3, 32, 32], seed: 5, low: 0.25, high: 0.75);
        var reference = Reference(model, input);
        var runs = new List<(string Name, InferenceRuntime Runtime, Precision Precision, double Tolerance)>();
        if (InferenceEngine.IsSupported)
        {
            runs.Add(($"{EngineIsas.Best!.Value.Name()} engine, fp32", InferenceRuntime.Engine, Precision.Fp32, Float32Tolerance));
            if (CpuFeatures.HasNativeBFloat16)
                runs.Add(($"{EngineIsas.Best!.Value.Name()} engine, bf16", InferenceRuntime.Engine, Precision.Bf16, BFloat16Tolerance));
        }
        runs.Add(("libtorch module, fp32", InferenceRuntime.Libtorch, Precision.Fp32, Float32Tolerance));
        runs.Add(("ONNX Runtime, fp32", InferenceRuntime.OnnxRuntime, Precision.Fp32, Float32Tolerance));
        return runs.Select(run => Check($"runtime: {run.Name}", run.Tolerance, () =>
        {
            using var restorer = new TiledRestorer(model, new RestoreOptions { Runtime = run.Runtime, Precision = run.Precision, Threads = null });
            using var output = restorer.Restore(input);
            return (output - reference).abs().max().to(float64).item<double>();
        }, "of the float64 output")).ToList();
    }

    /// <summary>One L1 training step's gradients of every weight and of the input, float32 against float64.</summary>
    public static SelfCheck TrainingGradients() => Check("training step: gradients", GradientTolerance, () =>
    {
        using var scope = NewDisposeScope();
        var model = BuiltInNetwork();
        model.train();
        var input = Draw([2, 3, 32, 32], seed: 6, low: 0, high: 1);
        var target = Draw([2, 3, 32, 32], seed: 7, low: 0, high: 1);
        var reference = Gradients(Copy(model, float64), input.to(float64), target.to(float64));
        var actual = Gradients(model, input, target);
        double scale = reference.Max(g => g.abs().max().item<double>()), worst = 0;
        foreach (var (a, r) in actual.Zip(reference))
        {
            double error = (a.to(float64) - r).abs().max().item<double>();
            if (double.IsNaN(error)) return double.NaN; // Enumerable.Max would skip it
            worst = Math.Max(worst, error);
        }
        return worst / scale;
    }, "of the largest float64 gradient");

    /// <summary>Runs one check; an exception or a non-finite error fails it with its message.</summary>
    private static SelfCheck Check(string name, double tolerance, Func<double> error, string relativeTo)
    {
        try
        {
            double measured = GcPause.Run(error);
            bool passed = measured <= tolerance; // false for NaN
            return new SelfCheck(name, passed, $"largest difference {measured:0.0e+00} {relativeTo} (allowed {tolerance:0.0e+00})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new SelfCheck(name, false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static List<Tensor> Gradients(RestormerNet model, Tensor input, Tensor target)
    {
        using var grad = enable_grad();
        model.zero_grad();
        var image = input.detach().requires_grad_(true); // its gradient runs the first convolution's backward too
        var loss = nn.functional.l1_loss(model.forward(image), target);
        loss.backward();
        return [image.grad!.clone(), .. model.parameters().Select(p => p.grad!.clone())];
    }

    private static Tensor Reference(RestormerNet model, Tensor input)
    {
        using var wide = Copy(model, float64);
        return wide.forward(input.to(float64)).clamp(0, 1).to(float32);
    }

    /// <summary>The built-in network with every weight drawn from a fixed seed (libtorch's random state is left alone).</summary>
    private static RestormerNet BuiltInNetwork()
    {
        var model = new RestormerNet(Network);
        using var _ = no_grad();
        int seed = 100;
        foreach (var (name, parameter) in model.named_parameters())
        {
            // LayerNorm weights near 1 and attention temperatures near 1, everything else small, as a trained network has them.
            bool unitScale = name.EndsWith("norm1.body.weight") || name.EndsWith("norm2.body.weight") || name.EndsWith("temperature");
            using var values = Draw(parameter.shape, seed++, unitScale ? 0.7 : -0.15, unitScale ? 1.3 : 0.15);
            parameter.copy_(values);
        }
        model.eval();
        return model;
    }

    private static RestormerNet Copy(RestormerNet model, ScalarType type)
    {
        var copy = new RestormerNet(model.Config);
        copy.load_state_dict(model.state_dict());
        copy.to(type);
        copy.train(model.training);
        return copy;
    }

    private static Tensor Draw(long[] shape, int seed, double low, double high)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        return tensor(values, shape);
    }
}

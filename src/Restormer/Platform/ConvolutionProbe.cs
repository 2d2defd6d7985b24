using static TorchSharp.torch;

namespace Restormer.Platform;

/// <summary>
/// A few-millisecond check of libtorch's float32 convolution on this machine: the forward pass, the input gradient and
/// the weight gradient of small convolutions, against the same sums in float64 computed here without libtorch. The
/// shapes have output channels that are not a multiple of 16 (3 and 5), which oneDNN pads when it reorders weights into
/// its blocked layouts, the step that goes wrong where the CPU hides its cache sizes. The probe draws its numbers from
/// its own generator, so it leaves libtorch's random state (and so training's reproducibility) untouched.
/// </summary>
public static class ConvolutionProbe
{
    /// <summary>Largest error, relative to the reference's largest magnitude, that float32 rounding explains (it gives about 1e-7).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>One convolution to check: batch, input and output channels, square side, square kernel (padding keeps the size).</summary>
    private readonly record struct Shape(int Batch, int In, int Out, int Side, int Kernel);

    private static readonly Shape[] Shapes = [new(2, 8, 3, 8, 3), new(2, 12, 5, 6, 1)];

    /// <summary>Runs every shape on libtorch as it is now set up (threads, oneDNN on or off) and returns the worst errors.</summary>
    public static ProbeResult Run()
    {
        var result = new ProbeResult(0, 0, 0);
        foreach (var shape in Shapes) result = result.Worst(Check(shape));
        return result;
    }

    private static ProbeResult Check(Shape s)
    {
        var random = new Random(20221);
        float[] Draw(int count, double scale) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];
        int pad = s.Kernel / 2;
        var x = Draw(s.Batch * s.In * s.Side * s.Side, 1);
        var w = Draw(s.Out * s.In * s.Kernel * s.Kernel, 0.3);
        var g = Draw(s.Batch * s.Out * s.Side * s.Side, 1);
        var (y64, gx64, gw64) = Reference(s, x, w, g);

        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var input = tensor(x, [s.Batch, s.In, s.Side, s.Side]).requires_grad_(true);
        var weight = tensor(w, [s.Out, s.In, s.Kernel, s.Kernel]).requires_grad_(true);
        var output = nn.functional.conv2d(input, weight, padding: [pad, pad]);
        var grads = autograd.grad([output], [input, weight], [tensor(g, [s.Batch, s.Out, s.Side, s.Side])]);
        return new ProbeResult(
            Error(output.data<float>().ToArray(), y64),
            Error(grads[0].data<float>().ToArray(), gx64),
            Error(grads[1].data<float>().ToArray(), gw64));
    }

    /// <summary>Output, input gradient and weight gradient of a zero-padded cross-correlation, summed in float64.</summary>
    private static (double[] Output, double[] InputGradient, double[] WeightGradient) Reference(Shape s, float[] x, float[] w, float[] g)
    {
        int n = s.Batch, ci = s.In, co = s.Out, side = s.Side, k = s.Kernel, pad = k / 2;
        var y = new double[n * co * side * side];
        var gx = new double[x.Length];
        var gw = new double[w.Length];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < side; r++)
                    for (int c = 0; c < side; c++)
                    {
                        int at = ((b * co + o) * side + r) * side + c;
                        for (int i = 0; i < ci; i++)
                            for (int kr = 0; kr < k; kr++)
                                for (int kc = 0; kc < k; kc++)
                                {
                                    int row = r + kr - pad, col = c + kc - pad;
                                    if (row < 0 || row >= side || col < 0 || col >= side) continue;
                                    int xi = ((b * ci + i) * side + row) * side + col, wi = ((o * ci + i) * k + kr) * k + kc;
                                    y[at] += (double)x[xi] * w[wi];
                                    gx[xi] += (double)g[at] * w[wi];
                                    gw[wi] += (double)g[at] * x[xi];
                                }
                    }
        return (y, gx, gw);
    }

    /// <summary>Largest difference relative to the reference's largest magnitude; NaN when libtorch gave a non-finite value.</summary>
    private static double Error(float[] actual, double[] reference)
    {
        double worst = 0, scale = reference.Max(Math.Abs);
        for (int i = 0; i < actual.Length; i++)
        {
            if (!float.IsFinite(actual[i])) return double.NaN;
            worst = Math.Max(worst, Math.Abs(actual[i] - reference[i]));
        }
        return worst / scale;
    }
}

/// <summary>The worst relative errors <see cref="ConvolutionProbe"/> found (NaN: libtorch gave a non-finite value).</summary>
public sealed record ProbeResult(double Forward, double InputGradient, double WeightGradient)
{
    /// <summary>Every error is finite and within <see cref="ConvolutionProbe.Tolerance"/>.</summary>
    public bool Passed => new[] { Forward, InputGradient, WeightGradient }.All(e => e <= ConvolutionProbe.Tolerance);

    /// <summary>"forward 1.2e-07, input gradient 7.8e-01, weight gradient NaN".</summary>
    public override string ToString() => $"forward {Format(Forward)}, input gradient {Format(InputGradient)}, weight gradient {Format(WeightGradient)}";

    internal ProbeResult Worst(ProbeResult other) => new(Max(Forward, other.Forward), Max(InputGradient, other.InputGradient), Max(WeightGradient, other.WeightGradient));

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static string Format(double error) => double.IsNaN(error) ? "NaN" : error.ToString("0.0e+00", System.Globalization.CultureInfo.InvariantCulture);
}

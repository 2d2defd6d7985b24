using Restormer.Engine;
using Restormer.Platform;

namespace Restormer.Inference;

/// <summary>
/// Arithmetic of the network's convolutions and matrix products. <see cref="Fp32"/> reproduces the reference to float
/// rounding; <see cref="Bf16"/> stores activations and weights as bfloat16 (LayerNorm, softmax, the residual stream
/// and all accumulations stay float32), about 2–3× faster on CPUs with native bfloat16 and visually identical;
/// <see cref="Auto"/> picks Bf16 only where the CPU has it natively (AVX512_BF16 or AMX) and libtorch may use oneDNN.
/// </summary>
public enum Precision { Fp32, Bf16, Auto }

/// <summary>Parsing and resolving <see cref="Precision"/>.</summary>
public static class PrecisionExtensions
{
    /// <summary><see cref="Precision.Auto"/> becomes Bf16 or Fp32 for this machine; the others stay as they are.</summary>
    public static Precision Resolve(this Precision precision) =>
        Resolve(precision, CpuFeatures.HasNativeBFloat16, LibTorchGuard.Status.OneDnnOn);

    /// <summary>
    /// Auto is Bf16 only where bfloat16 is fast: the CPU has it natively and libtorch's bfloat16 matrix products run
    /// on oneDNN. Where <see cref="LibTorchGuard"/> switched oneDNN off they fall back to a generic loop, measured
    /// 29× slower than fp32 on such a machine (<c>bench --precision fp32,bf16</c>: 0.19 s with oneDNN, 5.58 s without).
    /// </summary>
    internal static Precision Resolve(Precision precision, bool nativeBFloat16, bool oneDnnOn) => precision switch
    {
        Precision.Auto => nativeBFloat16 && oneDnnOn ? Precision.Bf16 : Precision.Fp32,
        _ => precision,
    };

    /// <summary>Why bf16 is slower than fp32 on this machine though the CPU has it natively; null where it is not.</summary>
    public static string? SlowBFloat16Reason() => CpuFeatures.HasNativeBFloat16 && !LibTorchGuard.Status.OneDnnOn
        ? "bf16 is slower than fp32 here: libtorch's oneDNN, which its bfloat16 products need, is switched off on this machine ('restormer doctor' says why); --precision fp32 or auto is faster"
        : null;

    /// <summary>Reads <c>fp32</c>, <c>bf16</c> or <c>auto</c> (any case; <c>float32</c>/<c>bfloat16</c> too).</summary>
    public static Precision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" or "float" => Precision.Fp32,
        "bf16" or "bfloat16" => Precision.Bf16,
        "auto" => Precision.Auto,
        _ => throw new ArgumentException($"Unknown precision '{text}': use fp32, bf16 or auto."),
    };

    /// <summary>The spelling <see cref="Parse"/> reads.</summary>
    public static string Name(this Precision precision) => precision.ToString().ToLowerInvariant();
}

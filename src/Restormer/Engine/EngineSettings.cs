using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>How <see cref="InferenceEngine"/> computes: instruction set, storage type of activations and weights, threads, band size.</summary>
internal sealed record EngineSettings(EngineIsa Isa, bool BFloat16, int Workers, int BandPixels)
{
    /// <summary>Pixels per band: small enough that a band's intermediates stay in the CPU caches, large enough for efficient matrix products.</summary>
    public const int DefaultBandPixels = 2048;

    /// <summary>The fused kernels for <see cref="Isa"/> and the storage type.</summary>
    public FusedKernels Kernels { get; } = FusedKernels.For(Isa, BFloat16);

    /// <summary>The dtype of activations fed to convolutions and matrix products.</summary>
    public ScalarType ComputeType => BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>Rows per band for a level <paramref name="width"/> pixels wide and <paramref name="height"/> high.</summary>
    public int BandRows(int height, int width) => (int)Math.Clamp(Math.Round((double)BandPixels / Math.Max(width, 1)), 1, height);
}

using Restormer.Kernels;

namespace Restormer.Engine;

/// <summary>
/// The engine's fused kernels (<see cref="RowLayerNorm"/>, <see cref="DepthwiseConv3x3{TLanes}"/>) at one vector width
/// and activation storage type, chosen once when the engine is built, so the bands call them without branching.
/// </summary>
internal abstract unsafe class FusedKernels
{
    /// <summary>LayerNorm of float32 pixels into the compute dtype.</summary>
    public abstract void LayerNorm(float* input, byte* output, long pixels, int channels, bool subtractMean);

    /// <summary>MDTA's depthwise conv, split into q|k and v, with the squared norms.</summary>
    public abstract void Split(in DepthwiseBand band, byte* first, int split, byte* second, float[] sumOfSquares);

    /// <summary>GDFN's depthwise conv and GELU gate.</summary>
    public abstract void Gated(in DepthwiseBand band, byte* output);

    public static FusedKernels For(EngineIsa isa, bool bfloat16) => (isa, bfloat16) switch
    {
        (EngineIsa.Avx512, false) => new Of<Lanes512, Float32Storage>(),
        (EngineIsa.Avx512, true) => new Of<Lanes512, BFloat16Storage>(),
        (EngineIsa.Avx2, false) => new Of<Lanes256, Float32Storage>(),
        _ => new Of<Lanes256, BFloat16Storage>(),
    };

    private sealed class Of<TLanes, TStorage> : FusedKernels
        where TLanes : struct, IFloatLanes<TLanes> where TStorage : struct, IElementStorage
    {
        public override void LayerNorm(float* input, byte* output, long pixels, int channels, bool subtractMean) =>
            RowLayerNorm.Run<TLanes, TStorage>(input, output, pixels, channels, subtractMean);

        public override void Split(in DepthwiseBand band, byte* first, int split, byte* second, float[] sumOfSquares) =>
            DepthwiseConv3x3<TLanes>.Split<TStorage, TStorage>(band, first, split, second, sumOfSquares);

        public override void Gated(in DepthwiseBand band, byte* output) =>
            DepthwiseConv3x3<TLanes>.Gated<TStorage, TStorage>(band, output);
    }
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>
/// The reference LayerNorm over the channels of each pixel of a channels-last float32 tensor (biased variance, eps
/// 1e-5), without the affine part, which the engine folds into the 1×1 convolution that follows. <c>WithBias</c>
/// subtracts the mean; <c>BiasFree</c> divides x itself by the standard deviation, as the reference does.
/// </summary>
internal static unsafe class RowLayerNorm
{
    private const float Epsilon = 1e-5f;

    /// <summary>Normalises <paramref name="pixels"/> rows of <paramref name="channels"/> floats into <typeparamref name="TOut"/>.</summary>
    public static void Run<TOut>(float* input, byte* output, long pixels, int channels, bool subtractMean)
        where TOut : struct, IElementStorage
    {
        int vectors = (channels + 15) / 16;
        var tail = new LaneMask(channels - (vectors - 1) * 16);
        var all = LaneMask.All;
        float inverseCount = 1f / channels;
        for (long p = 0; p < pixels; p++)
        {
            float* x = input + p * channels;
            byte* y = output + p * channels * TOut.Size;
            var sum = Vector512<float>.Zero;
            for (int v = 0; v < vectors; v++)
                sum = Avx512F.Add(sum, Float32Storage.Load((byte*)(x + v * 16), v == vectors - 1 ? tail : all));
            var mean = Vector512.Create(Vector512.Sum(sum) * inverseCount);
            var squares = Vector512<float>.Zero;
            for (int v = 0; v < vectors; v++)
            {
                ref readonly var mask = ref v == vectors - 1 ? ref tail : ref all;
                var centred = Avx512F.And(Avx512F.Subtract(Float32Storage.Load((byte*)(x + v * 16), mask), mean).AsUInt32(), mask.Float.AsUInt32()).AsSingle();
                squares = Avx512F.FusedMultiplyAdd(centred, centred, squares);
            }
            var rstd = Vector512.Create(1f / MathF.Sqrt(Vector512.Sum(squares) * inverseCount + Epsilon));
            var shift = subtractMean ? mean : Vector512<float>.Zero;
            for (int v = 0; v < vectors; v++)
            {
                ref readonly var mask = ref v == vectors - 1 ? ref tail : ref all;
                var normalised = Avx512F.Multiply(Avx512F.Subtract(Float32Storage.Load((byte*)(x + v * 16), mask), shift), rstd);
                TOut.Store(y + v * 16 * TOut.Size, normalised, mask);
            }
        }
    }
}

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
    public static void Run<TLanes, TOut>(float* input, byte* output, long pixels, int channels, bool subtractMean)
        where TLanes : struct, IFloatLanes<TLanes> where TOut : struct, IElementStorage
    {
        int lanes = TLanes.Count, vectors = (channels + lanes - 1) / lanes;
        var tail = TLanes.FirstLanes(channels - (vectors - 1) * lanes);
        var all = TLanes.FirstLanes(lanes);
        float inverseCount = 1f / channels;
        for (long p = 0; p < pixels; p++)
        {
            float* x = input + p * channels;
            byte* y = output + p * channels * TOut.Size;
            var sum = TLanes.Zero;
            for (int v = 0; v < vectors; v++)
                sum += TLanes.LoadMasked(x + v * lanes, v == vectors - 1 ? tail : all);
            var mean = TLanes.Create(sum.Sum() * inverseCount);
            var squares = TLanes.Zero;
            for (int v = 0; v < vectors; v++)
            {
                var mask = v == vectors - 1 ? tail : all;
                var centred = (TLanes.LoadMasked(x + v * lanes, mask) - mean) & mask;
                squares = TLanes.MultiplyAdd(centred, centred, squares);
            }
            var rstd = TLanes.Create(1f / MathF.Sqrt(squares.Sum() * inverseCount + Epsilon));
            var shift = subtractMean ? mean : TLanes.Zero;
            for (int v = 0; v < vectors; v++)
            {
                var mask = v == vectors - 1 ? tail : all;
                TOut.Store(y + v * lanes * TOut.Size, (TLanes.LoadMasked(x + v * lanes, mask) - shift) * rstd, mask);
            }
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Restormer.Metrics;

/// <summary>
/// The reference's 3-D Gaussian window (<c>_generate_3d_gaussian_kernel</c>: an 11×11×11 <c>Conv3d</c> over rows,
/// columns and channels with replicate padding) in the reference's own float32 arithmetic. The exact window is cheap
/// (see <see cref="GaussianWindow"/>), but the reference sums its 1331 float32 taps one fused multiply-add at a time, in
/// (row, column, channel) tap order (PyTorch's oneDNN direct convolution on CPU); in saturated regions that rounding
/// shifts the variances by up to a few tenths and the mean SSIM in the third decimal, so matching the reference's
/// numbers means repeating that sum. Verified bit for bit against PyTorch 1.13's <c>Conv3d</c> (CPU) on the fixture
/// images. The reference itself runs on CUDA, whose convolution rounds differently again (and may use TF32), so its
/// GPU figures can differ from these in the same decimals.
/// </summary>
internal static class ReferenceWindow3D
{
    const int Size = GaussianWindow.Size, Radius = GaussianWindow.Radius, Accumulators = 4;

    /// <summary>Weights [row tap, column tap, channel tap] rounded to float32 as the Conv3d weight holds them.</summary>
    static readonly float[] Weights = CreateWeights();

    static float[] CreateWeights()
    {
        var k = GaussianWindow.Kernel;
        var weights = new float[Size * Size * Size];
        for (int d = 0, t = 0; d < Size; d++)
            for (var h = 0; h < Size; h++)
                for (var w = 0; w < Size; w++)
                    weights[t++] = (float)(k[h] * k[w] * k[d]);
        return weights;
    }

    /// <summary>Smooths an HWC float32 image; returns a new HWC array. Rows run in parallel.</summary>
    public static float[] Smooth(float[] image, int height, int width, int channels)
    {
        var block = Vector<float>.Count * Accumulators;
        var padded = Pad(image, height, width, channels, block, out var paddedWidth);
        var output = new float[image.Length];
        Parallel.For(0, height, y => SmoothRow(padded, paddedWidth, output, y, width, channels));
        return output;
    }

    /// <summary>
    /// One output row, a block of columns at a time with the block's sums in registers; every tap adds its product
    /// with one fused multiply-add, in the reference's tap order. Channel taps that replicate-padding maps onto the
    /// same channel reuse the loaded values.
    /// </summary>
    static void SmoothRow(float[] padded, int paddedWidth, float[] output, int y, int width, int channels)
    {
        int lanes = Vector<float>.Count, block = lanes * Accumulators;
        int rowStride = channels * paddedWidth;
        Span<float> sums = stackalloc float[block];
        ref var weights = ref MemoryMarshal.GetArrayDataReference(Weights);
        for (var c = 0; c < channels; c++)
            for (var x0 = 0; x0 < width; x0 += block)
            {
                ref var origin = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(padded), y * rowStride + x0);
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var t = 0;
                for (var kd = 0; kd < Size; kd++)
                    for (var kh = 0; kh < Size; kh++)
                    {
                        ref var taps = ref Unsafe.Add(ref origin, kd * rowStride + kh);
                        Vector<float> v0 = default, v1 = default, v2 = default, v3 = default;
                        var loaded = -1;
                        for (var kw = 0; kw < Size; kw++, t++)
                        {
                            var source = Math.Clamp(c + kw - Radius, 0, channels - 1);
                            if (source != loaded)
                            {
                                ref var tap = ref Unsafe.Add(ref taps, source * paddedWidth);
                                v0 = Vector.LoadUnsafe(ref tap);
                                v1 = Vector.LoadUnsafe(ref tap, (nuint)lanes);
                                v2 = Vector.LoadUnsafe(ref tap, (nuint)(2 * lanes));
                                v3 = Vector.LoadUnsafe(ref tap, (nuint)(3 * lanes));
                                loaded = source;
                            }
                            var weight = new Vector<float>(Unsafe.Add(ref weights, t));
                            a0 = Vector.FusedMultiplyAdd(v0, weight, a0);
                            a1 = Vector.FusedMultiplyAdd(v1, weight, a1);
                            a2 = Vector.FusedMultiplyAdd(v2, weight, a2);
                            a3 = Vector.FusedMultiplyAdd(v3, weight, a3);
                        }
                    }
                a0.CopyTo(sums);
                a1.CopyTo(sums[lanes..]);
                a2.CopyTo(sums[(2 * lanes)..]);
                a3.CopyTo(sums[(3 * lanes)..]);
                for (var x = x0; x < Math.Min(x0 + block, width); x++)
                    output[(y * width + x) * channels + c] = sums[x - x0];
            }
    }

    /// <summary>
    /// Replicate-pads rows and columns by the window radius into a [row][channel][column] layout, so that a run of
    /// columns is contiguous; the column axis gets extra zeros up to a whole block, whose outputs are discarded.
    /// The channel axis is clamped while summing instead of padded.
    /// </summary>
    static float[] Pad(float[] image, int height, int width, int channels, int block, out int paddedWidth)
    {
        paddedWidth = (width + block - 1) / block * block + 2 * Radius;
        var paddedHeight = height + 2 * Radius;
        var padded = new float[paddedHeight * channels * paddedWidth];
        for (var py = 0; py < paddedHeight; py++)
        {
            var y = Math.Clamp(py - Radius, 0, height - 1);
            for (var c = 0; c < channels; c++)
            {
                var start = (py * channels + c) * paddedWidth;
                for (var px = 0; px < width + 2 * Radius; px++)
                    padded[start + px] = image[(y * width + Math.Clamp(px - Radius, 0, width - 1)) * channels + c];
            }
        }
        return padded;
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Restormer.Metrics;

/// <summary>
/// The 11×11 Gaussian window (σ 1.5) of SSIM in float64, applied to each channel of an HWC array as a separable filter
/// with replicate borders (<c>cv2.BORDER_REPLICATE</c>). Separability is exact here because replicate padding clamps
/// each axis independently, so a row pass and a column pass equal the full 11×11 window.
/// </summary>
internal static class GaussianWindow
{
    /// <summary>Window size, as in the reference (<c>cv2.getGaussianKernel(11, 1.5)</c>).</summary>
    public const int Size = 11;

    /// <summary>Half the window: the pixels on each side that a "valid" SSIM drops.</summary>
    public const int Radius = Size / 2;

    const double Sigma = 1.5;

    /// <summary>The 1-D kernel, from OpenCV's <c>getGaussianKernel</c> as the reference takes it.</summary>
    internal static readonly double[] Kernel = CreateKernel();

    static double[] CreateKernel()
    {
        using var kernel = Cv2.GetGaussianKernel(Size, Sigma, MatType.CV_64F) ?? throw new InvalidOperationException("OpenCV returned no Gaussian kernel.");
        return Enumerable.Range(0, Size).Select(i => kernel.At<double>(i, 0)).ToArray();
    }

    /// <summary>
    /// Smooths <paramref name="data"/> (HWC, <paramref name="height"/>×<paramref name="width"/>×<paramref name="channels"/>)
    /// channel by channel, in place; <paramref name="scratch"/> must be as long as <paramref name="data"/>.
    /// </summary>
    public static void Smooth(double[] data, double[] scratch, int height, int width, int channels)
    {
        SmoothRows(data, scratch, height, width * channels);
        SmoothColumns(scratch, data, height, width, channels);
    }

    /// <summary>Vertical pass: each output row is a weighted sum of 11 whole input rows (clamped at the edges).</summary>
    static void SmoothRows(double[] source, double[] target, int height, int rowLength)
    {
        Span<int> offsets = stackalloc int[Size];
        for (var row = 0; row < height; row++)
        {
            for (var tap = 0; tap < Size; tap++)
                offsets[tap] = Math.Clamp(row + tap - Radius, 0, height - 1) * rowLength;
            WeightedSum(source, offsets, target.AsSpan(row * rowLength, rowLength));
        }
    }

    /// <summary>Horizontal pass: pads each row with its replicated edge pixels, then sums 11 shifted copies.</summary>
    static void SmoothColumns(double[] source, double[] target, int height, int width, int channels)
    {
        var rowLength = width * channels;
        var padded = new double[rowLength + 2 * Radius * channels];
        Span<int> offsets = stackalloc int[Size];
        for (var tap = 0; tap < Size; tap++) offsets[tap] = tap * channels;
        for (var row = 0; row < height; row++)
        {
            var input = source.AsSpan(row * rowLength, rowLength);
            for (var p = 0; p < Radius; p++)
            {
                input[..channels].CopyTo(padded.AsSpan(p * channels));
                input[^channels..].CopyTo(padded.AsSpan((Radius + width + p) * channels));
            }
            input.CopyTo(padded.AsSpan(Radius * channels));
            WeightedSum(padded, offsets, target.AsSpan(row * rowLength, rowLength));
        }
    }

    /// <summary>output[i] = Σ Kernel[t] · source[offsets[t] + i], the 11 taps summed in registers.</summary>
    static void WeightedSum(double[] source, ReadOnlySpan<int> offsets, Span<double> output)
    {
        ref var input = ref MemoryMarshal.GetArrayDataReference(source);
        var lanes = Vector<double>.Count;
        var i = 0;
        for (; i <= output.Length - lanes; i += lanes)
        {
            var sum = Vector<double>.Zero;
            for (var tap = 0; tap < Size; tap++)
                sum += new Vector<double>(Kernel[tap]) * Vector.LoadUnsafe(ref input, (nuint)(offsets[tap] + i));
            sum.CopyTo(output[i..]);
        }
        for (; i < output.Length; i++)
        {
            var sum = 0.0;
            for (var tap = 0; tap < Size; tap++) sum += Kernel[tap] * source[offsets[tap] + i];
            output[i] = sum;
        }
    }
}

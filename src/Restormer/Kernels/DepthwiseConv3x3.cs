using System.Runtime.CompilerServices;

namespace Restormer.Kernels;

/// <summary>
/// A band of a channels-last image for <see cref="DepthwiseConv3x3{TLanes}"/>: <c>Rows + 2</c> rows of <c>Width</c> pixels,
/// where <c>RowData[i]</c> points at image row <c>first − 1 + i</c> for the output rows <c>first … first + Rows − 1</c>
/// (rows anywhere in memory, so a ring buffer needs no copies). Halo rows outside the image are never read (zero padding).
/// </summary>
internal unsafe struct DepthwiseBand
{
    public byte** RowData;
    public int Rows;
    public int Width;
    /// <summary>Channels per pixel, a multiple of 16 (of the lane count of either width).</summary>
    public int Channels;
    public bool TopInside;
    public bool BottomInside;
    /// <summary>Weights as [9][Channels], tap index 3·dy + dx.</summary>
    public float* Taps;
    /// <summary>Added to every input inside the image: the bias of the 1×1 convolution that produced the band.</summary>
    public float* InputBias;
    /// <summary>The depthwise convolution's own bias.</summary>
    public float* OutputBias;
}

/// <summary>
/// 3×3 depthwise convolution (padding 1) on channels-last data, the "Dconv" of MDTA and GDFN, fused with what follows
/// it: a split of the output into two tensors and a sum of squares for MDTA's L2 normalisation, or the GELU gate of
/// GDFN. Each output row is swept along x with a 3×3 window of channel vectors (<typeparamref name="TLanes"/> wide)
/// kept in registers.
/// </summary>
internal static unsafe class DepthwiseConv3x3<TLanes> where TLanes : struct, IFloatLanes<TLanes>
{
    /// <summary>Pixels swept per channel vector before moving to the next: the three input rows' chunk stays in L1.</summary>
    private const int ChunkPixels = 32;

    /// <summary>
    /// Writes channels <c>[0, split)</c> to <paramref name="first"/> (<c>split</c> per pixel) and the rest to
    /// <paramref name="second"/>; adds each output channel's sum of squares below <c>sumOfSquares.Length</c> into it.
    /// </summary>
    public static void Split<TIn, TOut>(in DepthwiseBand band, byte* first, int split, byte* second, float[] sumOfSquares)
        where TIn : struct, IElementStorage where TOut : struct, IElementStorage
    {
        int lanes = TLanes.Count;
        var squares = stackalloc float[lanes];
        for (int y = 0; y < band.Rows; y++)
        for (int x0 = 0; x0 < band.Width; x0 += ChunkPixels)
        for (int c = 0; c < band.Channels; c += lanes)
        {
            bool isFirst = c < split;
            int perPixel = isFirst ? split : band.Channels - split;
            var sink = new StoreSink<TOut>
            {
                Base = isFirst ? first + ((long)y * band.Width * split + c) * TOut.Size
                               : second + ((long)y * band.Width * perPixel + c - split) * TOut.Size,
                PixelBytes = perPixel * TOut.Size,
            };
            Sweep<TIn, StoreSink<TOut>>(band, y, c, x0, Math.Min(x0 + ChunkPixels, band.Width), sink).Store(squares);
            if (c < sumOfSquares.Length)
                for (int i = 0; i < lanes; i++) sumOfSquares[c + i] += squares[i];
        }
    }

    /// <summary>
    /// GDFN's gate: with the band's channels split in halves x₁ | x₂, writes GELU(dw(x₁)) ⊙ dw(x₂),
    /// <c>Channels / 2</c> per pixel.
    /// </summary>
    public static void Gated<TIn, TOut>(in DepthwiseBand band, byte* output)
        where TIn : struct, IElementStorage where TOut : struct, IElementStorage
    {
        int half = band.Channels / 2, lanes = TLanes.Count;
        var line = stackalloc float[ChunkPixels * lanes]; // GELU(dw(x₁)) of a chunk, waiting for dw(x₂)
        for (int y = 0; y < band.Rows; y++)
        for (int x0 = 0; x0 < band.Width; x0 += ChunkPixels)
        for (int c = 0; c < half; c += lanes)
        {
            int x1 = Math.Min(x0 + ChunkPixels, band.Width);
            Sweep<TIn, GeluLineSink>(band, y, c, x0, x1, new GeluLineSink { Line = line - x0 * lanes });
            var sink = new GateSink<TOut>
            {
                Line = line - x0 * lanes,
                Base = output + ((long)y * band.Width * half + c) * TOut.Size,
                PixelBytes = half * TOut.Size,
            };
            Sweep<TIn, GateSink<TOut>>(band, y, c + half, x0, x1, sink);
        }
    }

    private interface ISink
    {
        void Put(int x, TLanes value);
    }

    /// <summary>
    /// Output row <paramref name="y"/>, pixels <c>[x0, x1)</c>, channels <c>[c, c + lanes)</c>, into <paramref name="sink"/>
    /// pixel by pixel; returns the outputs' sums of squares. The sink is a copy, so its fields live in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TLanes Sweep<TIn, TSink>(in DepthwiseBand band, int y, int c, int x0, int x1, TSink sink)
        where TIn : struct, IElementStorage where TSink : struct, ISink
    {
        nint pixelBytes = (nint)band.Channels * TIn.Size;
        nint channelOffset = (nint)c * TIn.Size;
        byte* middle = band.RowData[y + 1] + channelOffset;
        bool topInside = y > 0 || band.TopInside, bottomInside = y < band.Rows - 1 || band.BottomInside;
        // A row outside the image gets zero weights and reads the middle row, so whatever the buffer holds there is ignored.
        byte* above = topInside ? band.RowData[y] + channelOffset : middle;
        byte* below = bottomInside ? band.RowData[y + 2] + channelOffset : middle;
        float* taps = band.Taps + c;
        int channels = band.Channels;
        TLanes Tap(int tap, bool inside) => inside ? TLanes.Load(taps + tap * channels) : TLanes.Zero;
        var (w0, w1, w2) = (Tap(0, topInside), Tap(1, topInside), Tap(2, topInside));
        var (w3, w4, w5) = (Tap(3, true), Tap(4, true), Tap(5, true));
        var (w6, w7, w8) = (Tap(6, bottomInside), Tap(7, bottomInside), Tap(8, bottomInside));
        var inBias = TLanes.Load(band.InputBias + c);
        var outBias = TLanes.Load(band.OutputBias + c);

        TLanes l0 = default, l1 = default, l2 = default;
        if (x0 > 0)
        {
            nint left = (x0 - 1) * pixelBytes;
            l0 = TIn.Load<TLanes>(above + left) + inBias;
            l1 = TIn.Load<TLanes>(middle + left) + inBias;
            l2 = TIn.Load<TLanes>(below + left) + inBias;
        }
        nint start = x0 * pixelBytes;
        var m0 = TIn.Load<TLanes>(above + start) + inBias;
        var m1 = TIn.Load<TLanes>(middle + start) + inBias;
        var m2 = TIn.Load<TLanes>(below + start) + inBias;
        int width = band.Width;
        var squares = TLanes.Zero;
        for (int x = x0; x < x1; x++)
        {
            TLanes r0 = default, r1 = default, r2 = default;
            if (x + 1 < width)
            {
                nint next = (x + 1) * pixelBytes;
                r0 = TIn.Load<TLanes>(above + next) + inBias;
                r1 = TIn.Load<TLanes>(middle + next) + inBias;
                r2 = TIn.Load<TLanes>(below + next) + inBias;
            }
            var a0 = TLanes.MultiplyAdd(w2, r0, TLanes.MultiplyAdd(w1, m0, TLanes.MultiplyAdd(w0, l0, outBias)));
            var a1 = TLanes.MultiplyAdd(w5, r1, TLanes.MultiplyAdd(w4, m1, w3 * l1));
            var a2 = TLanes.MultiplyAdd(w8, r2, TLanes.MultiplyAdd(w7, m2, w6 * l2));
            var output = a0 + (a1 + a2);
            sink.Put(x, output);
            squares = TLanes.MultiplyAdd(output, output, squares);
            (l0, l1, l2) = (m0, m1, m2);
            (m0, m1, m2) = (r0, r1, r2);
        }
        return squares;
    }

    private struct StoreSink<TOut> : ISink where TOut : struct, IElementStorage
    {
        public byte* Base;
        public nint PixelBytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int x, TLanes value) => TOut.Store(Base + x * PixelBytes, value);
    }

    private struct GeluLineSink : ISink
    {
        public float* Line;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int x, TLanes value) => VectorMath.Gelu(value).Store(Line + x * TLanes.Count);
    }

    private struct GateSink<TOut> : ISink where TOut : struct, IElementStorage
    {
        public float* Line;
        public byte* Base;
        public nint PixelBytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int x, TLanes value) => TOut.Store(Base + x * PixelBytes, TLanes.Load(Line + x * TLanes.Count) * value);
    }
}

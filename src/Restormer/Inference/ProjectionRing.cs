using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// LayerNorm and 1×1 projection of one stripe's rows, band by band, with the one-row halo the 3×3 depthwise conv
/// needs: the last two rows of a band are kept for the next one, so every row is normalised and projected once. The
/// rows just above and below the stripe belong to other stripes, which may already have updated them, so they are
/// projected first, into <see cref="ProjectHalo"/>'s buffer, before any stripe writes.
/// </summary>
internal sealed unsafe class ProjectionRing : IDisposable
{
    private readonly Tensor storage;     // room for (maxRows + 2) · width pixels of the widest projection
    private readonly Tensor haloStorage; // room for 2 · width pixels of the widest projection
    private readonly Tensor normalised;  // [(maxRows + 1) · width, in channels]
    private readonly int width, maxRows, stripeFirst, stripeEnd;
    private readonly EngineSettings settings;
    private Tensor? buffer;              // the storage as [(maxRows + 2) · width, out channels] of the current pass
    private Tensor? halo;                // [2 · width, out channels]: the rows above and below the stripe
    private int previousRows;

    public ProjectionRing(int stripeFirst, int stripeRows, int maxRows, int width, int inChannels, int maxOutChannels, EngineSettings settings)
    {
        (this.stripeFirst, stripeEnd) = (stripeFirst, stripeFirst + stripeRows);
        this.width = width;
        this.maxRows = maxRows;
        this.settings = settings;
        storage = empty((maxRows + 2L) * width * maxOutChannels, dtype: settings.ComputeType);
        haloStorage = empty(2L * width * maxOutChannels, dtype: settings.ComputeType);
        normalised = empty((maxRows + 1L) * width, inChannels, dtype: settings.ComputeType);
    }

    /// <summary>Starts a pass over the stripe with a projection to <paramref name="outChannels"/> channels.</summary>
    public void Reset(int outChannels)
    {
        previousRows = 0;
        buffer?.Dispose();
        halo?.Dispose();
        long pixels = (maxRows + 2L) * width;
        using (var used = storage.narrow(0, 0, pixels * outChannels))
            buffer = used.view(pixels, outChannels);
        using (var used = haloStorage.narrow(0, 0, 2L * width * outChannels))
            halo = used.view(2L * width, outChannels);
    }

    /// <summary>Projects the image rows just above and below the stripe (where they exist) from <paramref name="x"/>.</summary>
    public void ProjectHalo(Tensor x, PackedDconvProjection projection, bool subtractMean)
    {
        int height = (int)x.shape[0];
        if (stripeFirst > 0) Project(x, stripeFirst - 1, 1, halo!, 0, projection, subtractMean);
        if (stripeEnd < height) Project(x, stripeEnd, 1, halo!, 1, projection, subtractMean);
    }

    /// <summary>
    /// Fills the buffer with the projected rows <paramref name="first"/> − 1 … <paramref name="first"/> + <paramref name="rows"/>
    /// and describes them for the depthwise conv. Bands must come in order through the stripe, after <see cref="ProjectHalo"/>.
    /// </summary>
    public DepthwiseBand Prepare(Tensor x, int first, int rows, PackedDconvProjection projection, bool subtractMean)
    {
        var buffer = this.buffer ?? throw new InvalidOperationException("Call Reset before the first band.");
        int height = (int)x.shape[0];
        int computeFrom; // buffer row of the first row to fill
        if (previousRows == 0)
        {
            computeFrom = 1; // buffer row 0 is the row above the stripe
            if (first > 0) CopyRow(halo!, 0, buffer, 0);
        }
        else
        {
            // Rows first − 1 and first were the previous band's last two; row-by-row copies are safe even when they overlap.
            CopyRow(buffer, previousRows, buffer, 0);
            CopyRow(buffer, previousRows + 1, buffer, 1);
            computeFrom = 2;
        }
        int from = first - 1 + computeFrom, to = Math.Min(first + rows + 1, height); // image rows [from, to) to fill
        int inside = Math.Min(to, stripeEnd) - from;
        if (inside > 0) Project(x, from, inside, buffer, computeFrom, projection, subtractMean);
        if (to > stripeEnd) CopyRow(halo!, 1, buffer, computeFrom + inside);
        previousRows = rows;

        return new DepthwiseBand
        {
            Data = TensorMemory.Address(buffer),
            Rows = rows,
            Width = width,
            Channels = projection.OutChannels,
            TopInside = first > 0,
            BottomInside = first + rows < height,
            Taps = (float*)TensorMemory.Address(projection.Taps),
            InputBias = (float*)TensorMemory.Address(projection.Bias),
            OutputBias = (float*)TensorMemory.Address(projection.DepthwiseBias),
        };
    }

    /// <summary>LayerNorm then 1×1 projection of image rows [imageRow, imageRow + count) into <paramref name="target"/> from row <paramref name="targetRow"/>.</summary>
    private void Project(Tensor x, int imageRow, int count, Tensor target, int targetRow, PackedDconvProjection projection, bool subtractMean)
    {
        int channels = (int)x.shape[2], pixels = count * width;
        using var source = x.narrow(0, imageRow, count);
        using var normalisedRows = normalised.narrow(0, 0, pixels);
        var input = (float*)TensorMemory.Address(source);
        var output = TensorMemory.Address(normalisedRows);
        if (settings.BFloat16)
            RowLayerNorm.Run<BFloat16Storage>(input, output, pixels, channels, subtractMean);
        else
            RowLayerNorm.Run<Float32Storage>(input, output, pixels, channels, subtractMean);
        using var rowsOut = target.narrow(0, (long)targetRow * width, pixels);
        rowsOut.addmm_(normalisedRows, projection.WeightT, beta: 0);
    }

    private void CopyRow(Tensor from, int fromRow, Tensor to, int toRow)
    {
        using var source = from.narrow(0, (long)fromRow * width, width);
        using var target = to.narrow(0, (long)toRow * width, width);
        target.copy_(source);
    }

    public void Dispose()
    {
        buffer?.Dispose();
        halo?.Dispose();
        storage.Dispose();
        haloStorage.Dispose();
        normalised.Dispose();
    }
}

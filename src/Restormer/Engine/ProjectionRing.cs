using System.Runtime.InteropServices;
using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// LayerNorm and 1×1 projection of one stripe's rows, band by band, with the one-row halo the 3×3 depthwise conv
/// needs. Projected rows live in a ring of row slots (image row r in slot (r + 1) mod capacity), so a band's halo rows,
/// projected for the band before, are reused in place: every row is normalised and projected exactly once and nothing
/// is copied. The rows just above and below the stripe belong to other stripes, which may already have updated them,
/// so they are projected first, by <see cref="ProjectHalo"/>, before any stripe writes.
/// </summary>
internal sealed unsafe class ProjectionRing : IDisposable
{
    private readonly Tensor storage;     // room for `capacity` rows of the widest projection
    private readonly Tensor haloStorage; // room for 2 rows of the widest projection
    private readonly Tensor normalised;  // [maxRows + 1 rows, in channels]
    private readonly int width, capacity, stripeFirst, stripeEnd;
    private readonly EngineSettings settings;
    private readonly byte** rowData;     // the band's rows for the depthwise kernel
    private Tensor? slots;               // the storage as [capacity · width, out channels] of the current pass
    private Tensor? halo;                // [2 · width, out channels]: the rows above and below the stripe
    private int projectedUpTo;           // image rows below this one are in their slots

    public ProjectionRing(int stripeFirst, int stripeRows, int maxRows, int width, int inChannels, int maxOutChannels, EngineSettings settings)
    {
        (this.stripeFirst, stripeEnd) = (stripeFirst, stripeFirst + stripeRows);
        this.width = width;
        capacity = maxRows + 2;
        this.settings = settings;
        storage = empty((long)capacity * width * maxOutChannels, dtype: settings.ComputeType);
        haloStorage = empty(2L * width * maxOutChannels, dtype: settings.ComputeType);
        normalised = empty((maxRows + 1L) * width, inChannels, dtype: settings.ComputeType);
        rowData = (byte**)NativeMemory.Alloc((nuint)capacity, (nuint)sizeof(byte*));
    }

    /// <summary>Starts a pass over the stripe with a projection to <paramref name="outChannels"/> channels.</summary>
    public void Reset(int outChannels)
    {
        projectedUpTo = stripeFirst - 1;
        slots?.Dispose();
        halo?.Dispose();
        using (var used = storage.narrow(0, 0, (long)capacity * width * outChannels))
            slots = used.view((long)capacity * width, outChannels);
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
    /// Makes the projected rows <paramref name="first"/> − 1 … <paramref name="first"/> + <paramref name="rows"/> available
    /// and describes them for the depthwise conv. Bands must come in order through the stripe, after <see cref="ProjectHalo"/>.
    /// </summary>
    public DepthwiseBand Prepare(Tensor x, int first, int rows, PackedDconvProjection projection, bool subtractMean)
    {
        if (slots is null) throw new InvalidOperationException("Call Reset before the first band.");
        int height = (int)x.shape[0];
        if (projectedUpTo < stripeFirst && stripeFirst > 0)
            CopyRow(halo!, 0, Slot(stripeFirst - 1));
        int end = Math.Min(first + rows + 1, height); // rows up to the band's lower halo
        int from = Math.Max(projectedUpTo, stripeFirst), inside = Math.Min(end, stripeEnd) - from;
        if (inside > 0) ProjectIntoSlots(x, from, inside, projection, subtractMean);
        if (end > stripeEnd && projectedUpTo <= stripeEnd) CopyRow(halo!, 1, Slot(stripeEnd));
        projectedUpTo = Math.Max(projectedUpTo, end);

        var data = (byte*)TensorMemory.Address(slots);
        long rowBytes = (long)width * projection.OutChannels * (settings.BFloat16 ? 2 : 4);
        for (int i = 0; i < rows + 2; i++)
            rowData[i] = data + Slot(Math.Clamp(first - 1 + i, 0, height - 1)) * rowBytes;
        return new DepthwiseBand
        {
            RowData = rowData,
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

    private int Slot(int imageRow) => (imageRow + 1) % capacity;

    /// <summary>Projects image rows [imageRow, imageRow + count) into their slots, in two runs where the ring wraps.</summary>
    private void ProjectIntoSlots(Tensor x, int imageRow, int count, PackedDconvProjection projection, bool subtractMean)
    {
        int firstRun = Math.Min(count, capacity - Slot(imageRow));
        Project(x, imageRow, firstRun, slots!, Slot(imageRow), projection, subtractMean);
        if (firstRun < count) Project(x, imageRow + firstRun, count - firstRun, slots!, 0, projection, subtractMean);
    }

    /// <summary>LayerNorm then 1×1 projection of image rows [imageRow, imageRow + count) into <paramref name="target"/> from row <paramref name="targetRow"/>.</summary>
    private void Project(Tensor x, int imageRow, int count, Tensor target, int targetRow, PackedDconvProjection projection, bool subtractMean)
    {
        int channels = (int)x.shape[2], pixels = count * width;
        using var source = x.narrow(0, imageRow, count);
        using var normalisedRows = normalised.narrow(0, 0, pixels);
        var input = (float*)TensorMemory.Address(source);
        var output = TensorMemory.Address(normalisedRows);
        settings.Kernels.LayerNorm(input, output, pixels, channels, subtractMean);
        using var rowsOut = target.narrow(0, (long)targetRow * width, pixels);
        rowsOut.addmm_(normalisedRows, projection.WeightT, beta: 0);
    }

    private void CopyRow(Tensor from, int fromRow, int slot)
    {
        using var source = from.narrow(0, (long)fromRow * width, width);
        using var target = slots!.narrow(0, (long)slot * width, width);
        target.copy_(source);
    }

    public void Dispose()
    {
        slots?.Dispose();
        halo?.Dispose();
        storage.Dispose();
        haloStorage.Dispose();
        normalised.Dispose();
        NativeMemory.Free(rowData);
    }
}

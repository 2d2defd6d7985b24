using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// Raw access to a contiguous CPU tensor's memory in pieces of at most 1 GiB, because <see cref="Span{T}"/> is
/// int-indexed and a weight tensor may be larger. Checkpoint formats store exactly these bytes (little-endian).
/// </summary>
internal static class TensorBytes
{
    const long ChunkBytes = 1L << 30;

    /// <summary>Calls <paramref name="visit"/> with consecutive spans that together cover the tensor's bytes.</summary>
    public static void ForEachChunk(Tensor tensor, Action<Span<byte>> visit)
    {
        using var flat = tensor.reshape(-1);
        long count = flat.shape[0], perChunk = Math.Max(1, ChunkBytes / tensor.ElementSize);
        for (long start = 0; start < count; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, count - start));
            visit(part.bytes);
        }
    }

    /// <summary>Fills a fresh tensor of <paramref name="shape"/> from the next bytes of <paramref name="source"/>.</summary>
    public static Tensor Read(Stream source, long[] shape, ScalarType type)
    {
        var tensor = empty(shape, type);
        try
        {
            ForEachChunk(tensor, span => source.ReadExactly(span));
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Writes the tensor's bytes to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, Tensor tensor) => ForEachChunk(tensor, span => destination.Write(span));
}

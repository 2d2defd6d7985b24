namespace Restormer.Checkpoints;

/// <summary>A storage named by one of torch's persistent ids: zip entry <c>data/Key</c> holding Numel elements.</summary>
internal sealed record StorageRef(string Key, DType DType, long Numel)
{
    public override string ToString() => "storage";
}

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view into a storage. Nothing is read
/// when the pickle is parsed, so only the tensors a caller selects (e.g. 'params', not 'params_ema') cost memory.
/// </summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride, long Bytes)
{
    const int MaxDims = 64;

    long Numel => Bytes / Storage.DType.Size;

    /// <summary>
    /// True when the view is the whole storage in row-major order, so the entry's bytes are the tensor's. The stride
    /// of a size-1 dimension never moves to another element, and PyTorch leaves arbitrary values there.
    /// </summary>
    public bool IsWholeStorage => Offset == 0 && Numel == Storage.Numel &&
        ContiguousStride(Shape).Select((s, i) => Shape[i] <= 1 || Stride[i] == s).All(ok => ok);

    public override string ToString() => "tensor";

    /// <summary>
    /// Validates a view before anything is allocated: sizes and strides non-negative, their products free of
    /// overflow, and every element it addresses inside the storage.
    /// </summary>
    public static TensorRef Create(string file, StorageRef storage, long offset, long[] shape, long[] stride)
    {
        var what = $"offset {offset}, size [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}]";
        if (shape.Length != stride.Length || shape.Length > MaxDims || offset < 0 || stride.Any(s => s < 0))
            throw CheckpointException.Corrupt(file, $"a tensor has an impossible layout ({what})");
        var bytes = storage.DType.BytesFor(shape)
            ?? throw CheckpointException.Corrupt(file, $"a tensor has a negative size or more than 2^63 bytes ({what})");
        Int128 last = offset; // last element the view reaches; the sizes multiply to below 2^63, so this cannot overflow
        for (var i = 0; i < shape.Length; i++)
            last += shape[i] == 0 ? 0 : (Int128)(shape[i] - 1) * stride[i];
        if (bytes == 0 ? offset > storage.Numel : last >= storage.Numel)
            throw CheckpointException.Corrupt(file, $"a tensor ({what}) reaches past its {storage.Numel}-element storage '{storage.Key}'");
        return new TensorRef(storage, offset, shape, stride, bytes);
    }

    /// <summary>Row-major strides for <paramref name="shape"/>, as PyTorch computes them (size-0/1 dims count as 1).</summary>
    public static long[] ContiguousStride(long[] shape)
    {
        var stride = new long[shape.Length];
        long step = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            stride[i] = step;
            step *= Math.Max(shape[i], 1);
        }
        return stride;
    }
}

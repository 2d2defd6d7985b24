using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// One element type as the two checkpoint formats name it: PyTorch pickles a legacy storage class
/// (<c>torch.FloatStorage</c>), safetensors writes a short code (<c>F32</c>). Both store elements little-endian.
/// </summary>
internal sealed record DType(ScalarType Type, string StorageClass, string SafetensorsCode, int Size)
{
    static readonly DType[] All =
    [
        new(ScalarType.Float32, "FloatStorage", "F32", 4),
        new(ScalarType.Float64, "DoubleStorage", "F64", 8),
        new(ScalarType.Float16, "HalfStorage", "F16", 2),
        new(ScalarType.BFloat16, "BFloat16Storage", "BF16", 2),
        new(ScalarType.Int64, "LongStorage", "I64", 8),
        new(ScalarType.Int32, "IntStorage", "I32", 4),
        new(ScalarType.Int16, "ShortStorage", "I16", 2),
        new(ScalarType.Int8, "CharStorage", "I8", 1),
        new(ScalarType.Byte, "ByteStorage", "U8", 1),
        new(ScalarType.Bool, "BoolStorage", "BOOL", 1),
    ];

    /// <summary>
    /// Bytes a tensor of <paramref name="shape"/> occupies, or null when a size is negative or the total does not
    /// fit in a long (a hostile header must not overflow into a small, plausible number).
    /// </summary>
    public long? BytesFor(long[] shape)
    {
        Int128 bytes = Size;
        foreach (var size in shape)
        {
            if (size < 0)
                return null;
            bytes = Int128.Min(bytes * size, (Int128)long.MaxValue + 1); // saturates; sizes are below 2^63, so no Int128 overflow
        }
        return bytes <= long.MaxValue ? (long)bytes : null;
    }

    public override string ToString() => $"torch.{StorageClass}";

    /// <summary>The type for a <c>torch.*Storage</c> class name, or null when it is not one.</summary>
    public static DType? FromStorageClass(string name) => All.FirstOrDefault(d => d.StorageClass == name);

    /// <summary>The type for a safetensors dtype code, or null when it is not one we read.</summary>
    public static DType? FromSafetensors(string code) => All.FirstOrDefault(d => d.SafetensorsCode == code);

    /// <summary>The entry for a tensor's type; complex and quantised tensors have none.</summary>
    public static DType For(string name, Tensor tensor) => All.FirstOrDefault(d => d.Type == tensor.dtype)
        ?? throw new ArgumentException($"Tensor '{name}' has type {tensor.dtype}, which checkpoints here do not store " +
                                       $"(supported: {string.Join(", ", All.Select(d => d.Type))}).", nameof(tensor));
}

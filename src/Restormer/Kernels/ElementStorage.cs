using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>
/// How a kernel reads and writes 16 consecutive channels of one storage type as float32 lanes. Implemented by structs,
/// so the JIT compiles each kernel once per storage type with the loads and stores inlined.
/// </summary>
internal unsafe interface IElementStorage
{
    /// <summary>Bytes per element.</summary>
    static abstract int Size { get; }

    /// <summary>Loads the lanes where <paramref name="mask"/> is set (others read as 0).</summary>
    static abstract Vector512<float> Load(byte* address, in LaneMask mask);

    /// <summary>Stores the lanes where <paramref name="mask"/> is set.</summary>
    static abstract void Store(byte* address, Vector512<float> value, in LaneMask mask);

    /// <summary>Loads all 16 lanes.</summary>
    static abstract Vector512<float> Load(byte* address);

    /// <summary>Stores all 16 lanes.</summary>
    static abstract void Store(byte* address, Vector512<float> value);
}

/// <summary>The first <c>count</c> of 16 lanes, in the forms the float32 and bfloat16 masked moves take.</summary>
internal readonly struct LaneMask
{
    public readonly Vector512<float> Float;
    public readonly Vector256<ushort> Half;

    public LaneMask(int count)
    {
        var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(Math.Min(count, 16)));
        Float = lanes.AsSingle();
        Half = Avx512F.ConvertToVector256UInt16(lanes.AsUInt32());
    }

    public static LaneMask All { get; } = new(16);
}

/// <summary>IEEE float32, as stored.</summary>
internal readonly struct Float32Storage : IElementStorage
{
    public static int Size => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(byte* address, in LaneMask mask) =>
        Avx512F.MaskLoad((float*)address, mask.Float, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(byte* address, Vector512<float> value, in LaneMask mask) =>
        Avx512F.MaskStore((float*)address, mask.Float, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(byte* address) => Vector512.Load((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(byte* address, Vector512<float> value) => value.Store((float*)address);
}

/// <summary>
/// bfloat16 (the upper half of a float32): widened exactly on load, rounded to nearest-even on store, as PyTorch
/// converts. Values are finite activations, so NaN payloads need no care.
/// </summary>
internal readonly struct BFloat16Storage : IElementStorage
{
    public static int Size => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(byte* address, in LaneMask mask)
    {
        var bits = Avx512BW.VL.MaskLoad((ushort*)address, mask.Half, Vector256<ushort>.Zero);
        return Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(bits), 16).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(byte* address, Vector512<float> value, in LaneMask mask) =>
        Avx512BW.VL.MaskStore((ushort*)address, mask.Half, Round(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(byte* address) =>
        Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load((ushort*)address)), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(byte* address, Vector512<float> value) => Round(value).Store((ushort*)address);

    /// <summary>Round-to-nearest-even of the upper 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ushort> Round(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var lsb = Avx512F.And(Avx512F.ShiftRightLogical(bits, 16), Vector512.Create(1u));
        var rounded = Avx512F.Add(bits, Avx512F.Add(lsb, Vector512.Create(0x7FFFu)));
        return Avx512F.ConvertToVector256UInt16(Avx512F.ShiftRightLogical(rounded, 16));
    }
}

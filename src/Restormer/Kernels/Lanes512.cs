using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>Sixteen float32 lanes in an AVX-512 register (F, BW and VL: bfloat16 moves use 16-bit masks).</summary>
internal readonly unsafe struct Lanes512 : IFloatLanes<Lanes512>
{
    private readonly Vector512<float> v;

    private Lanes512(Vector512<float> value) => v = value;

    public static int Count => 16;
    public static bool IsSupported => Avx512F.IsSupported && Avx512F.VL.IsSupported && Avx512BW.IsSupported && Avx512BW.VL.IsSupported;
    public static Lanes512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Create(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(float* address) => new(Vector512.Load(address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* address) => v.Store(address);

    public static Lanes512 FirstLanes(int count) =>
        new(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(Math.Min(count, 16))).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 LoadMasked(float* address, Lanes512 mask) => new(Avx512F.MaskLoad(address, mask.v, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreMasked(float* address, Lanes512 mask) => Avx512F.MaskStore(address, mask.v, v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 LoadBFloat16(ushort* address) =>
        new(Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load(address)), 16).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreBFloat16(ushort* address) => RoundToBFloat16().Store(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreBFloat16Masked(ushort* address, Lanes512 mask) =>
        Avx512BW.VL.MaskStore(address, Avx512F.ConvertToVector256UInt16(mask.v.AsUInt32()), RoundToBFloat16());

    /// <summary>Round-to-nearest-even of the upper 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<ushort> RoundToBFloat16()
    {
        var bits = v.AsUInt32();
        var lsb = Avx512F.And(Avx512F.ShiftRightLogical(bits, 16), Vector512.Create(1u));
        var rounded = Avx512F.Add(bits, Avx512F.Add(lsb, Vector512.Create(0x7FFFu)));
        return Avx512F.ConvertToVector256UInt16(Avx512F.ShiftRightLogical(rounded, 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(Avx512F.Add(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 left, Lanes512 right) => new(Avx512F.Subtract(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(Avx512F.Multiply(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator &(Lanes512 left, Lanes512 right) => new(Avx512F.And(left.v.AsUInt32(), right.v.AsUInt32()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 MultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Avx512F.FusedMultiplyAdd(a.v, b.v, c.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 NegatedMultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Avx512F.FusedMultiplyAddNegated(a.v, b.v, c.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Min(Lanes512 left, Lanes512 right) => new(Avx512F.Min(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Max(Lanes512 left, Lanes512 right) => new(Avx512F.Max(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ReciprocalEstimate(Lanes512 x) => new(Avx512F.Reciprocal14(x.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector512.Sum(v);
}

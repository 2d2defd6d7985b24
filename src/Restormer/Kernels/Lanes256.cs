using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>Eight float32 lanes in an AVX2 register, with FMA: the kernels' width on CPUs without AVX-512.</summary>
internal readonly unsafe struct Lanes256 : IFloatLanes<Lanes256>
{
    private readonly Vector256<float> v;

    private Lanes256(Vector256<float> value) => v = value;

    public static int Count => 8;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;
    public static Lanes256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Create(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(float* address) => new(Vector256.Load(address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* address) => v.Store(address);

    public static Lanes256 FirstLanes(int count) =>
        new(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(Math.Min(count, 8))).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 LoadMasked(float* address, Lanes256 mask) => new(Avx.MaskLoad(address, mask.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreMasked(float* address, Lanes256 mask) => Avx.MaskStore(address, mask.v, v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 LoadBFloat16(ushort* address) =>
        new(Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(address), 16).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreBFloat16(ushort* address) => RoundToBFloat16().Store(address);

    /// <summary>AVX2 has no 16-bit masked store: the rounded lanes go through a stack buffer (only row tails take this).</summary>
    public void StoreBFloat16Masked(ushort* address, Lanes256 mask)
    {
        var rounded = stackalloc ushort[8];
        RoundToBFloat16().Store(rounded);
        int count = BitOperations.PopCount((uint)Avx.MoveMask(mask.v));
        for (int i = 0; i < count; i++) address[i] = rounded[i];
    }

    /// <summary>Round-to-nearest-even of the upper 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ushort> RoundToBFloat16()
    {
        var bits = v.AsUInt32();
        var lsb = Avx2.And(Avx2.ShiftRightLogical(bits, 16), Vector256.Create(1u));
        var rounded = Avx2.ShiftRightLogical(Avx2.Add(bits, Avx2.Add(lsb, Vector256.Create(0x7FFFu))), 16);
        return Vector128.Narrow(rounded.GetLower(), rounded.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(Avx.Add(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 left, Lanes256 right) => new(Avx.Subtract(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(Avx.Multiply(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator &(Lanes256 left, Lanes256 right) => new(Avx.And(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 MultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Fma.MultiplyAdd(a.v, b.v, c.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 NegatedMultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Fma.MultiplyAddNegated(a.v, b.v, c.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Min(Lanes256 left, Lanes256 right) => new(Avx.Min(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Max(Lanes256 left, Lanes256 right) => new(Avx.Max(left.v, right.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ReciprocalEstimate(Lanes256 x) => new(Avx.Reciprocal(x.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector256.Sum(v);
}

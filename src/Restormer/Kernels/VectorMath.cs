using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>
/// Sixteen-lane float32 functions for the fused kernels. <see cref="Gelu"/> is the exact (erf) GELU of
/// <c>F.gelu</c>, with erf computed as PyTorch's vectorised CPU kernel does (Abramowitz–Stegun 7.1.26, |error| &lt; 1.5e-7).
/// </summary>
internal static class VectorMath
{
    /// <summary>e^x to about 1 ulp for x in [-87, 88]; smaller inputs give about 1e-38, larger are clamped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Avx512F.Max(Avx512F.Min(x, Vector512.Create(88.3762626647949f)), Vector512.Create(-87.3365447504f));
        var n = Avx512F.RoundScale(Avx512F.Multiply(x, Vector512.Create(1.44269504088896341f)), 0); // round to nearest
        var r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        // Taylor/Cephes polynomial for e^r on |r| ≤ ln2/2.
        var p = Vector512.Create(1.9875691500e-4f);
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Avx512F.FusedMultiplyAdd(p, Avx512F.Multiply(r, r), Avx512F.Add(r, Vector512<float>.One));
        var scale = Avx512F.ShiftLeftLogical(Avx512F.Add(Avx512F.ConvertToVector512Int32(n), Vector512.Create(127)), 23).AsSingle();
        return Avx512F.Multiply(p, scale);
    }

    /// <summary>erf(x) by Abramowitz–Stegun 7.1.26, the approximation PyTorch's vectorised CPU erf uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> x)
    {
        var sign = Avx512F.And(x.AsUInt32(), Vector512.Create(0x80000000u));
        var ax = Avx512F.AndNot(Vector512.Create(0x80000000u), x.AsUInt32()).AsSingle();
        var d = Avx512F.FusedMultiplyAdd(Vector512.Create(0.3275911f), ax, Vector512<float>.One);
        // 1/d: 14-bit estimate refined by one Newton step (to about 1 ulp), much cheaper than a division.
        var estimate = Avx512F.Reciprocal14(d);
        var t = Avx512F.Multiply(estimate, Avx512F.FusedMultiplyAddNegated(d, estimate, Vector512.Create(2f)));
        var r = Avx512F.FusedMultiplyAdd(Vector512.Create(1.061405429f), t, Vector512.Create(-1.453152027f));
        r = Avx512F.FusedMultiplyAdd(r, t, Vector512.Create(1.421413741f));
        r = Avx512F.FusedMultiplyAdd(r, t, Vector512.Create(-0.284496736f));
        r = Avx512F.FusedMultiplyAdd(r, t, Vector512.Create(0.254829592f));
        var e = Exp(Avx512F.Multiply(Avx512F.Xor(ax.AsUInt32(), Vector512.Create(0x80000000u)).AsSingle(), ax));
        var y = Avx512F.FusedMultiplyAddNegated(Avx512F.Multiply(r, t), e, Vector512<float>.One);
        return Avx512F.Or(y.AsUInt32(), sign).AsSingle();
    }

    /// <summary>GELU(x) = x/2 · (1 + erf(x/√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        var erf = Erf(Avx512F.Multiply(x, Vector512.Create(0.707106781186547524f)));
        return Avx512F.Multiply(Avx512F.Multiply(x, Vector512.Create(0.5f)), Avx512F.Add(erf, Vector512<float>.One));
    }
}

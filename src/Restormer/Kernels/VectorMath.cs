using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Restormer.Kernels;

/// <summary>
/// Sixteen-lane float32 functions for the fused kernels. <see cref="Gelu"/> is the exact (erf) GELU of
/// <c>F.gelu</c>, with erf from a rational approximation (|error| &lt; 4e-7 in float32 arithmetic), which needs
/// no exponential and so costs about half of the usual erf.
/// </summary>
internal static class VectorMath
{
    /// <summary>erf(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 3.92 (a least-squares minimax fit), ±1 beyond, where erf is 1 in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> x)
    {
        x = Avx512F.Max(Avx512F.Min(x, Vector512.Create(3.92f)), Vector512.Create(-3.92f));
        var z = Avx512F.Multiply(x, x);
        var p = Vector512.Create(-1.3337587922990224e-08f);
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(4.71810380986426e-06f));
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(0.0003803824947681278f));
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(0.003832421265542507f));
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(0.054278627038002014f));
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(0.18470142781734467f));
        p = Avx512F.FusedMultiplyAdd(p, z, Vector512.Create(1.128379225730896f));
        var q = Vector512.Create(6.34218449704349e-05f);
        q = Avx512F.FusedMultiplyAdd(q, z, Vector512.Create(0.0013050526613369584f));
        q = Avx512F.FusedMultiplyAdd(q, z, Vector512.Create(0.015431070700287819f));
        q = Avx512F.FusedMultiplyAdd(q, z, Vector512.Create(0.11377590894699097f));
        q = Avx512F.FusedMultiplyAdd(q, z, Vector512.Create(0.4970209002494812f));
        q = Avx512F.FusedMultiplyAdd(q, z, Vector512<float>.One);
        // 1/q: 14-bit estimate refined by one Newton step (to about 1 ulp), much cheaper than a division.
        var estimate = Avx512F.Reciprocal14(q);
        var reciprocal = Avx512F.Multiply(estimate, Avx512F.FusedMultiplyAddNegated(q, estimate, Vector512.Create(2f)));
        return Avx512F.Multiply(Avx512F.Multiply(x, p), reciprocal);
    }

    /// <summary>GELU(x) = x/2 · (1 + erf(x/√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> x)
    {
        var erf = Erf(Avx512F.Multiply(x, Vector512.Create(0.707106781186547524f)));
        return Avx512F.Multiply(Avx512F.Multiply(x, Vector512.Create(0.5f)), Avx512F.Add(erf, Vector512<float>.One));
    }
}

using System.Runtime.CompilerServices;

namespace Restormer.Kernels;

/// <summary>
/// Float32 lane functions for the fused kernels. <see cref="Gelu"/> is the exact (erf) GELU of <c>F.gelu</c>, with
/// erf from a rational approximation (|error| &lt; 4e-7 in float32 arithmetic), which needs no exponential and so
/// costs about half of the usual erf.
/// </summary>
internal static class VectorMath
{
    /// <summary>erf(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 3.92 (a least-squares minimax fit), ±1 beyond, where erf is 1 in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Erf<TLanes>(TLanes x) where TLanes : struct, IFloatLanes<TLanes>
    {
        x = TLanes.Max(TLanes.Min(x, TLanes.Create(3.92f)), TLanes.Create(-3.92f));
        var z = x * x;
        var p = TLanes.Create(-1.3337587922990224e-08f);
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(4.71810380986426e-06f));
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(0.0003803824947681278f));
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(0.003832421265542507f));
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(0.054278627038002014f));
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(0.18470142781734467f));
        p = TLanes.MultiplyAdd(p, z, TLanes.Create(1.128379225730896f));
        var q = TLanes.Create(6.34218449704349e-05f);
        q = TLanes.MultiplyAdd(q, z, TLanes.Create(0.0013050526613369584f));
        q = TLanes.MultiplyAdd(q, z, TLanes.Create(0.015431070700287819f));
        q = TLanes.MultiplyAdd(q, z, TLanes.Create(0.11377590894699097f));
        q = TLanes.MultiplyAdd(q, z, TLanes.Create(0.4970209002494812f));
        q = TLanes.MultiplyAdd(q, z, TLanes.Create(1f));
        // 1/q: a 12- or 14-bit estimate refined by one Newton step (to about 1 ulp), much cheaper than a division.
        var estimate = TLanes.ReciprocalEstimate(q);
        var reciprocal = estimate * TLanes.NegatedMultiplyAdd(q, estimate, TLanes.Create(2f));
        return x * p * reciprocal;
    }

    /// <summary>GELU(x) = x/2 · (1 + erf(x/√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Gelu<TLanes>(TLanes x) where TLanes : struct, IFloatLanes<TLanes>
    {
        var erf = Erf(x * TLanes.Create(0.707106781186547524f));
        return x * TLanes.Create(0.5f) * (erf + TLanes.Create(1f));
    }
}

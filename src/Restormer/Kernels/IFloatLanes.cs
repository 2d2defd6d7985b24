namespace Restormer.Kernels;

/// <summary>
/// A SIMD register of float32 lanes as the fused kernels use it, implemented by <see cref="Lanes512"/> (AVX-512, 16
/// lanes) and <see cref="Lanes256"/> (AVX2 + FMA, 8 lanes). The kernels are generic over it, so the JIT compiles each
/// once per width with every operation inlined, and both widths run the same algorithm on the same packed weights.
/// </summary>
internal unsafe interface IFloatLanes<TSelf> where TSelf : struct, IFloatLanes<TSelf>
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>This CPU (as the runtime reports it) executes these instructions.</summary>
    static abstract bool IsSupported { get; }

    static abstract TSelf Zero { get; }
    static abstract TSelf Create(float value);
    static abstract TSelf Load(float* address);
    void Store(float* address);

    /// <summary>All bits set in the first <paramref name="count"/> lanes, clear in the others.</summary>
    static abstract TSelf FirstLanes(int count);

    /// <summary>Loads the lanes where <paramref name="mask"/> (from <see cref="FirstLanes"/>) is set; the others read as 0.</summary>
    static abstract TSelf LoadMasked(float* address, TSelf mask);
    void StoreMasked(float* address, TSelf mask);

    /// <summary>Widens bfloat16 values exactly.</summary>
    static abstract TSelf LoadBFloat16(ushort* address);

    /// <summary>Rounds to bfloat16, nearest-even, as PyTorch converts (values are finite activations: NaN payloads need no care).</summary>
    void StoreBFloat16(ushort* address);
    void StoreBFloat16Masked(ushort* address, TSelf mask);

    static abstract TSelf operator +(TSelf left, TSelf right);
    static abstract TSelf operator -(TSelf left, TSelf right);
    static abstract TSelf operator *(TSelf left, TSelf right);
    static abstract TSelf operator &(TSelf left, TSelf right);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>c − a·b, rounded once.</summary>
    static abstract TSelf NegatedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Min(TSelf left, TSelf right);
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>1/x to at least 11 bits; one Newton step makes it about float32-accurate.</summary>
    static abstract TSelf ReciprocalEstimate(TSelf x);

    /// <summary>The sum of all lanes.</summary>
    float Sum();
}

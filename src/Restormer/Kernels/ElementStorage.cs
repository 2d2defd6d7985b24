using System.Runtime.CompilerServices;

namespace Restormer.Kernels;

/// <summary>
/// How a kernel reads and writes consecutive channels of one storage type as float32 lanes of any width. Implemented
/// by structs, so the JIT compiles each kernel once per storage type and width with the loads and stores inlined.
/// </summary>
internal unsafe interface IElementStorage
{
    /// <summary>Bytes per element.</summary>
    static abstract int Size { get; }

    /// <summary>Loads <c>TLanes.Count</c> elements.</summary>
    static abstract TLanes Load<TLanes>(byte* address) where TLanes : struct, IFloatLanes<TLanes>;

    /// <summary>Stores <c>TLanes.Count</c> elements.</summary>
    static abstract void Store<TLanes>(byte* address, TLanes value) where TLanes : struct, IFloatLanes<TLanes>;

    /// <summary>Stores the lanes where <paramref name="mask"/> (from <see cref="IFloatLanes{TSelf}.FirstLanes"/>) is set.</summary>
    static abstract void Store<TLanes>(byte* address, TLanes value, TLanes mask) where TLanes : struct, IFloatLanes<TLanes>;
}

/// <summary>IEEE float32, as stored.</summary>
internal readonly struct Float32Storage : IElementStorage
{
    public static int Size => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TLanes Load<TLanes>(byte* address) where TLanes : struct, IFloatLanes<TLanes> => TLanes.Load((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<TLanes>(byte* address, TLanes value) where TLanes : struct, IFloatLanes<TLanes> => value.Store((float*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<TLanes>(byte* address, TLanes value, TLanes mask) where TLanes : struct, IFloatLanes<TLanes> =>
        value.StoreMasked((float*)address, mask);
}

/// <summary>bfloat16 (the upper half of a float32): widened exactly on load, rounded to nearest-even on store, as PyTorch converts.</summary>
internal readonly struct BFloat16Storage : IElementStorage
{
    public static int Size => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TLanes Load<TLanes>(byte* address) where TLanes : struct, IFloatLanes<TLanes> => TLanes.LoadBFloat16((ushort*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<TLanes>(byte* address, TLanes value) where TLanes : struct, IFloatLanes<TLanes> => value.StoreBFloat16((ushort*)address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<TLanes>(byte* address, TLanes value, TLanes mask) where TLanes : struct, IFloatLanes<TLanes> =>
        value.StoreBFloat16Masked((ushort*)address, mask);
}

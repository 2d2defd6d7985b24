using Restormer.Kernels;

namespace Restormer.Engine;

/// <summary>The vector instruction set the engine's fused kernels run on, chosen at start-up from what the CPU offers.</summary>
public enum EngineIsa
{
    /// <summary>16-lane AVX-512 (F, BW, VL) kernels.</summary>
    Avx512,

    /// <summary>8-lane AVX2 + FMA kernels: the same packed weights, bands and fusions at half the vector width.</summary>
    Avx2,
}

/// <summary>Which <see cref="EngineIsa"/> this process can run, and names for reports.</summary>
public static class EngineIsas
{
    /// <summary>The widest instruction set the runtime reports (so <c>DOTNET_EnableAVX512=0</c> selects AVX2), or null when neither runs.</summary>
    public static EngineIsa? Best { get; } = Lanes512.IsSupported ? EngineIsa.Avx512 : Lanes256.IsSupported ? EngineIsa.Avx2 : null;

    /// <summary>True when this process can run the kernels of <paramref name="isa"/>.</summary>
    public static bool IsSupported(this EngineIsa isa) => isa switch
    {
        EngineIsa.Avx512 => Lanes512.IsSupported,
        _ => Lanes256.IsSupported,
    };

    /// <summary>"AVX-512" or "AVX2".</summary>
    public static string Name(this EngineIsa isa) => isa == EngineIsa.Avx512 ? "AVX-512" : "AVX2";
}

using Restormer.Platform;

namespace Restormer.Engine;

/// <summary>What the CPU offers that changes how fast the network runs, asked of the system once.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<bool> bf16 = new(HostSystem.Current.CpuHasBFloat16);

    /// <summary>
    /// The CPU computes bfloat16 products natively (AVX512_BF16 or AMX-BF16), so bf16 matrix products run at 2–4× the
    /// float32 rate. Both need AVX-512 enabled in this process too (<c>DOTNET_EnableAVX512=0</c> simulates an AVX2 CPU).
    /// </summary>
    public static bool HasNativeBFloat16 => EngineIsas.Best == EngineIsa.Avx512 && bf16.Value;
}

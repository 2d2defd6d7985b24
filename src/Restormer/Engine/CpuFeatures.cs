namespace Restormer.Engine;

/// <summary>What the CPU offers that changes how fast the network runs, read once from <c>/proc/cpuinfo</c>.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<IReadOnlySet<string>> flags = new(ReadFlags);

    /// <summary>
    /// The CPU computes bfloat16 products natively (AVX512_BF16 or AMX-BF16), so bf16 matrix products run at 2–4× the
    /// float32 rate. Both need AVX-512 enabled in this process too (<c>DOTNET_EnableAVX512=0</c> simulates an AVX2 CPU).
    /// </summary>
    public static bool HasNativeBFloat16 => EngineIsas.Best == EngineIsa.Avx512 && (flags.Value.Contains("avx512_bf16") || flags.Value.Contains("amx_bf16"));

    /// <summary>The CPU flags of the first processor listed in <paramref name="cpuinfo"/> (the text of <c>/proc/cpuinfo</c>).</summary>
    public static IReadOnlySet<string> ParseFlags(string cpuinfo)
    {
        var line = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? new HashSet<string>()
            : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    private static IReadOnlySet<string> ReadFlags()
    {
        try
        {
            return ParseFlags(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HashSet<string>();
        }
    }
}

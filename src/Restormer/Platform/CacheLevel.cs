namespace Restormer.Platform;

/// <summary>One cache as CPUID describes it: level 1–3, "data", "instruction" or "unified", and its size.</summary>
public sealed record CacheLevel(int Level, string Type, long Bytes)
{
    /// <summary>"L1d 48 KiB", "L2 1024 KiB", "L1d 1 B" (what a zeroed leaf computes to).</summary>
    public override string ToString() =>
        $"L{Level}{Type switch { "data" => "d", "instruction" => "i", _ => "" }} {(Bytes >= 1024 ? $"{Bytes / 1024} KiB" : $"{Bytes} B")}";
}

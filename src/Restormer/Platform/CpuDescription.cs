using System.Text;

namespace Restormer.Platform;

/// <summary>
/// The processor as CPUID describes it: vendor, model, instruction sets, and the cache sizes that libraries such as
/// oneDNN read to size their blocks. Cloud virtual machines may answer the cache leaves with zeros; what that does
/// depends on the vendor (see <see cref="MisleadsOneDnn"/>).
/// </summary>
public sealed record CpuDescription(
    string Vendor, string Model, bool Virtualised, IReadOnlyList<string> Isa,
    IReadOnlyList<CacheLevel> Caches, string CacheLeaf, IReadOnlyList<CacheLevel> SummaryCaches)
{
    /// <summary>AMD (or Hygon, AMD's licensed design), whose cache sizes are read from leaf 0x8000001D.</summary>
    public bool IsAmd => Vendor is "AuthenticAMD" or "HygonGenuine";

    /// <summary>
    /// The deterministic cache leaf (4 on Intel, 0x8000001D on AMD) lists no cache, or a first-level data cache under
    /// 1 KiB: the processor hides its cache sizes, as some hypervisors make it.
    /// </summary>
    public bool HidesCacheSizes => !Caches.Any(c => c.Level == 1 && c.Type != "instruction" && c.Bytes >= 1024);

    /// <summary>
    /// oneDNN (through Xbyak) takes an AMD processor's cache sizes from leaf 0x8000001D whatever it says, so zeroed
    /// answers become 1-byte caches; libtorch 2.10's oneDNN 3.7.1 then gets an L1 budget of 0 when it reorders padded
    /// blocked weights and reads uninitialised memory (wrong, varying, sometimes NaN convolutions). On Intel, zeroed
    /// leaves leave oneDNN's defaults in place.
    /// </summary>
    public bool MisleadsOneDnn => IsAmd && HidesCacheSizes;

    /// <summary>One clause for messages, e.g. "the CPU (AMD, virtualised) reports no cache sizes: CPUID leaf 0x8000001D reads zero".</summary>
    public string CacheFinding => HidesCacheSizes
        ? $"the CPU ({(IsAmd ? "AMD" : Vendor)}{(Virtualised ? ", virtualised" : "")}) reports no cache sizes: CPUID leaf {CacheLeaf} reads {(Caches.Count == 0 ? "zero" : string.Join(", ", Caches))}"
        : $"the CPU reports its caches ({string.Join(", ", Caches)})";

    /// <summary>This processor, or null off x86.</summary>
    public static CpuDescription? Current { get; } = Cpuids.Hardware is { } cpuid ? Read(cpuid) : null;

    /// <summary>Reads the description from <paramref name="cpuid"/> (the hardware, or a recorded table in tests).</summary>
    public static CpuDescription Read(Cpuid cpuid)
    {
        var zero = cpuid(0, 0);
        string vendor = Text(zero.Ebx, zero.Edx, zero.Ecx);
        uint maxLeaf = zero.Eax, maxExtended = cpuid(0x8000_0000, 0).Eax;
        bool amd = vendor is "AuthenticAMD" or "HygonGenuine";
        var leaf1 = cpuid(1, 0);
        uint cacheLeaf = amd ? 0x8000_001D : 4;
        bool hasCacheLeaf = amd ? maxExtended >= cacheLeaf : maxLeaf >= cacheLeaf;
        return new CpuDescription(
            vendor,
            maxExtended >= 0x8000_0004 ? Brand(cpuid) : "",
            (leaf1.Ecx & (1u << 31)) != 0,
            Instructions(cpuid, maxLeaf, leaf1),
            hasCacheLeaf ? DeterministicCaches(cpuid, cacheLeaf) : [],
            $"0x{cacheLeaf:X}",
            ReadSummaryCaches(cpuid, maxExtended));
    }

    /// <summary>The caches listed by leaf 4 or 0x8000001D, one sub-leaf each until the "no more caches" type.</summary>
    private static List<CacheLevel> DeterministicCaches(Cpuid cpuid, uint leaf)
    {
        var caches = new List<CacheLevel>();
        for (uint sub = 0; sub < 16; sub++)
        {
            var r = cpuid(leaf, sub);
            uint type = r.Eax & 0x1F;
            if (type == 0) break;
            long ways = (r.Ebx >> 22) + 1, partitions = ((r.Ebx >> 12) & 0x3FF) + 1, line = (r.Ebx & 0xFFF) + 1, sets = (long)r.Ecx + 1;
            caches.Add(new CacheLevel((int)((r.Eax >> 5) & 7), type switch { 1 => "data", 2 => "instruction", _ => "unified" }, ways * partitions * line * sets));
        }
        return caches;
    }

    /// <summary>The older summary leaves 0x80000005 (L1 data, AMD only) and 0x80000006 (L2, and L3 on AMD).</summary>
    private static List<CacheLevel> ReadSummaryCaches(Cpuid cpuid, uint maxExtended)
    {
        var caches = new List<CacheLevel>();
        if (maxExtended >= 0x8000_0005 && cpuid(0x8000_0005, 0).Ecx >> 24 is var l1 and > 0) caches.Add(new(1, "data", l1 * 1024L));
        if (maxExtended >= 0x8000_0006)
        {
            var r = cpuid(0x8000_0006, 0);
            if (r.Ecx >> 16 is var l2 and > 0) caches.Add(new(2, "unified", l2 * 1024L));
            if (r.Edx >> 18 is var l3 and > 0) caches.Add(new(3, "unified", l3 * 512L * 1024));
        }
        return caches;
    }

    /// <summary>The instruction sets that matter here, as the processor offers them (the OS may still disable some).</summary>
    private static List<string> Instructions(Cpuid cpuid, uint maxLeaf, CpuidResult leaf1)
    {
        var isa = new List<string>();
        void Add(bool present, string name) { if (present) isa.Add(name); }
        Add((leaf1.Ecx & (1u << 28)) != 0, "AVX");
        Add((leaf1.Ecx & (1u << 12)) != 0, "FMA");
        if (maxLeaf < 7) return isa;
        var seven = cpuid(7, 0);
        var sevenOne = cpuid(7, 1);
        Add((seven.Ebx & (1u << 5)) != 0, "AVX2");
        Add((seven.Ebx & (1u << 16)) != 0, "AVX512F");
        Add((seven.Ebx & (1u << 30)) != 0, "AVX512BW");
        Add((seven.Ebx & (1u << 31)) != 0, "AVX512VL");
        Add((sevenOne.Eax & (1u << 5)) != 0, "AVX512_BF16");
        Add((seven.Edx & (1u << 24)) != 0, "AMX-TILE");
        Add((seven.Edx & (1u << 22)) != 0, "AMX-BF16");
        return isa;
    }

    private static string Brand(Cpuid cpuid)
    {
        var text = new StringBuilder();
        for (uint leaf = 0x8000_0002; leaf <= 0x8000_0004; leaf++)
        {
            var r = cpuid(leaf, 0);
            text.Append(Text(r.Eax, r.Ebx, r.Ecx, r.Edx));
        }
        return text.ToString().Trim();
    }

    /// <summary>The ASCII characters packed little-endian in <paramref name="registers"/>, up to the first NUL.</summary>
    private static string Text(params uint[] registers)
    {
        var bytes = registers.SelectMany(BitConverter.GetBytes).TakeWhile(b => b != 0).ToArray();
        return Encoding.ASCII.GetString(bytes);
    }
}

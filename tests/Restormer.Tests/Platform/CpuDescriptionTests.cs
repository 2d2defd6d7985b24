using System.Text;
using Restormer.Platform;

namespace Restormer.Tests.Platform;

/// <summary>
/// What the tool concludes from a processor's CPUID answers, with recorded answers: the AMD cloud VM that hides its
/// cache sizes (where libtorch's oneDNN computes wrong convolutions), an Intel one that hides them (where oneDNN keeps
/// its defaults), and processors that report their caches.
/// </summary>
public class CpuDescriptionTests
{
    const uint Hypervisor = 1u << 31, Avx = 1u << 28, Fma = 1u << 12;

    /// <summary>Leaves 0, 1 and the extended range of a processor of <paramref name="vendor"/>, with <paramref name="caches"/> as its deterministic cache leaf's sub-leaves.</summary>
    static Cpuid Processor(string vendor, string brand, uint cacheLeaf, params CpuidResult[] caches)
    {
        var v = Registers(vendor);
        var table = new Dictionary<(uint, uint), CpuidResult>
        {
            [(0, 0)] = new(0xD, v[0], v[2], v[1]), // vendor text in EBX, EDX, ECX
            [(1, 0)] = new(0, 0, Hypervisor | Avx | Fma, 0),
            [(7, 0)] = new(0, (1u << 5) | (1u << 16), 0, 0),
            [(0x8000_0000, 0)] = new(0x8000_0021, 0, 0, 0),
            [(0x8000_0005, 0)] = new(0, 0, 48u << 24, 0),
            [(0x8000_0006, 0)] = new(0, 0, 1024u << 16, 64u << 18),
        };
        var b = Registers(brand.PadRight(48, '\0'));
        for (uint leaf = 0; leaf < 3; leaf++)
            table[(0x8000_0002 + leaf, 0)] = new(b[leaf * 4], b[leaf * 4 + 1], b[leaf * 4 + 2], b[leaf * 4 + 3]);
        for (uint sub = 0; sub < caches.Length; sub++) table[(cacheLeaf, sub)] = caches[sub];
        return Cpuids.Table(table);
    }

    static uint[] Registers(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return [.. Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToUInt32(bytes, i * 4))];
    }

    /// <summary>One sub-leaf of leaf 4 / 0x8000001D: type (1 data, 2 instruction, 3 unified), level, ways, line bytes, sets.</summary>
    static CpuidResult Cache(uint type, uint level, uint ways, uint line, uint sets) =>
        new(type | (level << 5), ((ways - 1) << 22) | (line - 1), sets - 1, 0);

    static readonly CpuidResult[] ZenCaches = [Cache(1, 1, 12, 64, 64), Cache(2, 1, 8, 64, 64), Cache(3, 2, 16, 64, 1024), Cache(3, 3, 16, 64, 32768)];

    [Fact]
    public void AnAmdVmWithZeroedCacheLeavesMisleadsOneDnn()
    {
        var cpu = CpuDescription.Read(Processor("AuthenticAMD", "AMD EPYC 9R45", 0x8000_001D));
        Assert.Equal("AuthenticAMD", cpu.Vendor);
        Assert.Equal("AMD EPYC 9R45", cpu.Model);
        Assert.True(cpu.Virtualised);
        Assert.Empty(cpu.Caches);
        Assert.True(cpu.HidesCacheSizes);
        Assert.True(cpu.MisleadsOneDnn);
        Assert.Contains("CPUID leaf 0x8000001D reads zero", cpu.CacheFinding);
        // The older summary leaves still answer; oneDNN does not read them.
        Assert.Equal(["L1d 48 KiB", "L2 1024 KiB", "L3 32768 KiB"], cpu.SummaryCaches.Select(c => c.ToString()));
        Assert.Equal(["AVX", "FMA", "AVX2", "AVX512F"], cpu.Isa);
    }

    [Fact]
    public void AnIntelVmWithZeroedCacheLeavesHidesThemButOneDnnKeepsItsDefaults()
    {
        var cpu = CpuDescription.Read(Processor("GenuineIntel", "Intel(R) Xeon(R) Platinum 8480C", 4));
        Assert.True(cpu.HidesCacheSizes);
        Assert.False(cpu.MisleadsOneDnn);
        Assert.Contains("leaf 0x4", cpu.CacheFinding);
    }

    [Theory]
    [InlineData("AuthenticAMD", 0x8000_001Du)]
    [InlineData("GenuineIntel", 4u)]
    [InlineData("HygonGenuine", 0x8000_001Du)]
    public void ReportedCachesAreReadAndTrusted(string vendor, uint leaf)
    {
        var cpu = CpuDescription.Read(Processor(vendor, "some processor", leaf, ZenCaches));
        Assert.Equal(["L1d 48 KiB", "L1i 32 KiB", "L2 1024 KiB", "L3 32768 KiB"], cpu.Caches.Select(c => c.ToString()));
        Assert.False(cpu.HidesCacheSizes);
        Assert.False(cpu.MisleadsOneDnn);
    }

    [Fact]
    public void AnAmdCpuReportingATinyFirstLevelCacheCountsAsHidingIt()
    {
        // One set of one way of one byte: what a partly zeroed sub-leaf computes to.
        var cpu = CpuDescription.Read(Processor("AuthenticAMD", "AMD EPYC", 0x8000_001D, Cache(1, 1, 1, 1, 1), Cache(3, 2, 16, 64, 1024)));
        Assert.Equal("L1d 1 B", cpu.Caches[0].ToString());
        Assert.True(cpu.MisleadsOneDnn);
    }

    [Fact]
    public void OneDnnGoesWhenTheProbeFailsOrTheCpuMisleadsItOrTheUserSaysSo()
    {
        var amdVm = CpuDescription.Read(Processor("AuthenticAMD", "AMD EPYC", 0x8000_001D));
        var intelVm = CpuDescription.Read(Processor("GenuineIntel", "Xeon", 4));
        var reporting = CpuDescription.Read(Processor("AuthenticAMD", "AMD EPYC", 0x8000_001D, ZenCaches));

        var failed = LibTorchGuard.Decide(amdVm, probePassed: false, "auto");
        Assert.Contains("wrong results in a check against float64", failed);
        Assert.Contains("1-byte caches", failed);
        // The condition alone is enough: the uninitialised memory it reads may happen to be right in one run.
        Assert.Contains("this run's check passed", LibTorchGuard.Decide(amdVm, probePassed: true, "auto"));
        Assert.Null(LibTorchGuard.Decide(intelVm, probePassed: true, "auto"));
        Assert.Null(LibTorchGuard.Decide(reporting, probePassed: true, "auto"));
        Assert.Null(LibTorchGuard.Decide(null, probePassed: true, "auto"));
        // A fault with no CPUID explanation is still routed around, and said plainly.
        Assert.Equal("its convolutions gave wrong results in a check against float64", LibTorchGuard.Decide(reporting, probePassed: false, "auto"));
        Assert.Equal("RESTORMER_ONEDNN=off", LibTorchGuard.Decide(reporting, probePassed: true, "off"));
        Assert.Null(LibTorchGuard.Decide(amdVm, probePassed: false, "on"));
    }

    [SkippableFact]
    public void ThisProcessorIsDescribedAndTheGuardActedOnIt()
    {
        Skip.If(CpuDescription.Current is null, "not an x86 processor: no CPUID");
        var cpu = CpuDescription.Current!;
        Assert.NotEmpty(cpu.Vendor);
        Assert.Contains("AVX", cpu.Isa);
        if (cpu.MisleadsOneDnn && Environment.GetEnvironmentVariable("RESTORMER_ONEDNN") is null)
            Assert.False(LibTorchGuard.Status.OneDnnOn, "the CPU misleads oneDNN but oneDNN was left on");
    }
}

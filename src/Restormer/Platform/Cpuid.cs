using System.Runtime.Intrinsics.X86;

namespace Restormer.Platform;

/// <summary>The four registers one CPUID query returns.</summary>
public readonly record struct CpuidResult(uint Eax, uint Ebx, uint Ecx, uint Edx);

/// <summary>
/// One CPUID query (leaf, sub-leaf): the processor's own answer (<see cref="Cpuids.Hardware"/>), or a recorded table, so
/// that what the tool concludes from a virtual machine's answers can be tested on any machine.
/// </summary>
public delegate CpuidResult Cpuid(uint leaf, uint subleaf);

/// <summary>Where CPUID answers come from.</summary>
public static class Cpuids
{
    /// <summary>The CPUID instruction of this processor, or null off x86.</summary>
    public static Cpuid? Hardware { get; } = X86Base.IsSupported ? Query : null;

    private static CpuidResult Query(uint leaf, uint subleaf)
    {
        var (eax, ebx, ecx, edx) = X86Base.CpuId(unchecked((int)leaf), unchecked((int)subleaf));
        return new CpuidResult(unchecked((uint)eax), unchecked((uint)ebx), unchecked((uint)ecx), unchecked((uint)edx));
    }

    /// <summary>A recorded table: the listed (leaf, sub-leaf) answers, zeros for every other query (as a CPU answers a leaf it lacks).</summary>
    public static Cpuid Table(IReadOnlyDictionary<(uint Leaf, uint Subleaf), CpuidResult> answers) =>
        (leaf, subleaf) => answers.TryGetValue((leaf, subleaf), out var answer) ? answer : default;
}

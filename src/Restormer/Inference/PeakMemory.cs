using Restormer.Platform;

namespace Restormer.Inference;

/// <summary>
/// The process's peak resident memory (Linux <c>VmHWM</c>, Windows' peak working set), resettable on Linux so that one
/// measurement covers one run. Other systems report null.
/// </summary>
public static class PeakMemory
{
    /// <summary>Peak resident set size in bytes since the process started or the last <see cref="Reset"/>.</summary>
    public static long? PeakResidentBytes() => HostSystem.Current.PeakResidentBytes();

    /// <summary>Starts a new peak at the current resident size; false where unsupported.</summary>
    public static bool Reset() => HostSystem.Current.ResetPeakMemory();
}

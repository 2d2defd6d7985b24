namespace Restormer.Inference;

/// <summary>
/// The process's peak resident memory (Linux <c>VmHWM</c>), resettable so that one measurement covers one run.
/// Other systems report null.
/// </summary>
public static class PeakMemory
{
    /// <summary>Peak resident set size in bytes since the process started or the last <see cref="Reset"/>.</summary>
    public static long? PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Starts a new peak at the current resident size (writes 5 to <c>/proc/self/clear_refs</c>); false where unsupported.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

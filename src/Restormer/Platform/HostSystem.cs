namespace Restormer.Platform;

/// <summary>
/// The few questions this library asks the operating system that .NET does not answer the same way everywhere: what a
/// path names without opening it, the process's peak memory, the CPU's bf16 features and which files processes hold
/// open. One side per family (<see cref="PosixHost"/>: Linux and macOS; <see cref="WindowsHost"/>); everything else
/// reaches the system through .NET.
/// </summary>
public abstract class HostSystem
{
    /// <summary>The side for the operating system this process runs on.</summary>
    public static HostSystem Current { get; } = OperatingSystem.IsWindows() ? new WindowsHost() : new PosixHost();

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (links followed); otherwise what it is instead, for a message:
    /// "missing", "a directory", "a FIFO (named pipe)", "a character device", "a loop of symbolic links", …
    /// </summary>
    public abstract string? NotRegular(string path);

    /// <summary>Peak resident memory in bytes since the process started or the last <see cref="ResetPeakMemory"/>; null where unknown.</summary>
    public abstract long? PeakResidentBytes();

    /// <summary>Starts a new peak at the current resident size; false where the system cannot.</summary>
    public abstract bool ResetPeakMemory();

    /// <summary>Whether the CPU computes bfloat16 products natively (AVX512_BF16 or AMX-BF16), as the system reports it.</summary>
    public abstract bool CpuHasBFloat16();

    /// <summary>
    /// Every file some process of this user has open, as full paths; null where the system does not tell (then callers
    /// delete nothing that might be in use).
    /// </summary>
    public abstract IReadOnlySet<string>? OpenFiles();
}

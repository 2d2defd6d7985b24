using System.Diagnostics;

namespace Restormer.Platform;

/// <summary>The Windows side of <see cref="HostSystem"/>: file attributes, the working set, CPUID.</summary>
internal sealed class WindowsHost : HostSystem
{
    // Names Windows maps to devices in every folder (CON, NUL, COM1, …): opening one reads a device, not a file.
    private static readonly HashSet<string> DeviceNames = new(
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(0, 10).SelectMany(i => new[] { $"COM{i}", $"LPT{i}" })],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A device namespace path (<c>\\.\…</c>, named pipes among them) or a reserved device name is a device; otherwise
    /// the file system's attributes tell a file from a folder. Windows has no FIFOs or sockets among files.
    /// </summary>
    public override string? NotRegular(string path)
    {
        if (path.StartsWith(@"\\.\", StringComparison.Ordinal) || path.StartsWith("//./", StringComparison.Ordinal)
            || DeviceNames.Contains(Path.GetFileNameWithoutExtension(path.TrimEnd(' ', '.'))))
            return "a device";
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target && info.ResolveLinkTarget(returnFinalTarget: true) is null or { Exists: false })
                return $"a symbolic link to '{target}', which does not exist";
        }
        catch (IOException)
        {
            return "a loop of symbolic links";
        }
        return Directory.Exists(path) ? "a directory" : File.Exists(path) ? null : "missing";
    }

    /// <summary>The peak working set that Windows keeps for the process (it cannot be reset).</summary>
    public override long? PeakResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <inheritdoc />
    public override bool ResetPeakMemory() => false;

    /// <summary>AVX512_BF16 or AMX-BF16 among the instructions CPUID leaf 7 lists, as <see cref="CpuDescription"/> reads it.</summary>
    public override bool CpuHasBFloat16() => CpuDescription.Current?.Isa is { } isa && (isa.Contains("AVX512_BF16") || isa.Contains("AMX-BF16"));

    /// <summary>
    /// Not told: Windows lists no process's open files to others. Nothing is lost by it: the upload buffers this is
    /// asked for are opened delete-on-close, which Windows honours even when their process is killed.
    /// </summary>
    public override IReadOnlySet<string>? OpenFiles() => null;
}

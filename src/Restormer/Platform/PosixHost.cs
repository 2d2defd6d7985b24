using System.Runtime.InteropServices;

namespace Restormer.Platform;

/// <summary>The Linux and macOS side of <see cref="HostSystem"/>: <c>stat(2)</c> and Linux's <c>/proc</c>.</summary>
internal sealed partial class PosixHost : HostSystem
{
    /// <summary>
    /// From <c>stat(2)</c>, without opening the path: a FIFO or a device opened for reading can block for ever (or never
    /// end). .NET exposes no file type beyond "directory", hence the one system call.
    /// </summary>
    public override string? NotRegular(string path)
    {
        Span<byte> status = stackalloc byte[256]; // struct stat is 144 bytes on Linux x86-64, 128 on arm64, 144 on macOS
        if (Stat(path, ref MemoryMarshal.GetReference(status)) != 0)
            return Marshal.GetLastPInvokeError() == (OperatingSystem.IsMacOS() ? 62 : 40) ? "a loop of symbolic links" : Absent(path);
        // st_mode: after st_dev and st_ino (and st_nlink on x86-64) on Linux; after the 32-bit st_dev on macOS, 16 bits wide.
        uint mode = OperatingSystem.IsMacOS() ? BitConverter.ToUInt16(status[4..])
            : BitConverter.ToUInt32(status[(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16)..]);
        return (mode & 0xF000) switch
        {
            0x8000 => null,
            0x4000 => "a directory",
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>Linux's <c>VmHWM</c>; null elsewhere.</summary>
    public override long? PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes 5 to Linux's <c>/proc/self/clear_refs</c>.</summary>
    public override bool ResetPeakMemory()
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

    /// <summary>The flags of the first processor in Linux's <c>/proc/cpuinfo</c> (false where it is missing).</summary>
    public override bool CpuHasBFloat16()
    {
        try
        {
            var flags = ParseCpuFlags(File.ReadAllText("/proc/cpuinfo"));
            return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The CPU flags of the first processor listed in <paramref name="cpuinfo"/> (the text of <c>/proc/cpuinfo</c>).</summary>
    public static IReadOnlySet<string> ParseCpuFlags(string cpuinfo)
    {
        var line = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? new HashSet<string>()
            : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    /// <summary>From Linux's <c>/proc/&lt;pid&gt;/fd</c> (other users' are unreadable and skipped); null without <c>/proc</c>.</summary>
    public override IReadOnlySet<string>? OpenFiles()
    {
        if (!Directory.Exists("/proc/self/fd")) return null;
        var open = new HashSet<string>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                    if (new FileInfo(fd).LinkTarget is { } target) open.Add(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return open;
    }

    /// <summary>What a path is that <c>stat</c> could not follow: a dangling link, or nothing.</summary>
    private static string? Absent(string path) =>
        new FileInfo(path).LinkTarget is { } target ? $"a symbolic link to '{target}', which does not exist"
        : Directory.Exists(path) ? "a directory" : File.Exists(path) ? null : "missing";

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte status);
}

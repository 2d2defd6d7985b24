using System.Runtime.InteropServices;

namespace Restormer.IO;

/// <summary>
/// What a path names, from <c>stat(2)</c>, without opening it: a FIFO or a device opened for reading can block for
/// ever (or never end), so readers ask here first and open regular files only. .NET exposes no file type beyond
/// "directory", hence the one system call.
/// </summary>
public static partial class FileKind
{
    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (symbolic links followed); otherwise what it is instead,
    /// for a message: "missing", "a directory", "a FIFO (named pipe)", "a character device", "a loop of symbolic links", …
    /// </summary>
    public static string? NotRegular(string path)
    {
        Span<byte> status = stackalloc byte[256]; // struct stat is 144 bytes on x86-64, 128 on arm64
        if (Stat(path, ref MemoryMarshal.GetReference(status)) != 0)
            return Marshal.GetLastPInvokeError() == ELoop ? "a loop of symbolic links"
                : new FileInfo(path).LinkTarget is { } target ? $"a symbolic link to '{target}', which does not exist"
                : Directory.Exists(path) ? "a directory" : File.Exists(path) ? null : "missing";
        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        uint type = BitConverter.ToUInt32(status[modeOffset..]) & 0xF000;
        return type switch
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

    const int ELoop = 40; // Linux's errno for "too many levels of symbolic links"

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref byte status);
}

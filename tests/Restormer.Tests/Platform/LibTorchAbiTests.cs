using System.Runtime.InteropServices;
using System.Text;
using Restormer.Platform;

namespace Restormer.Tests.Platform;

/// <summary>Reading a returned <c>std::string</c> in either ABI, from storage laid out as each standard library lays it.</summary>
public unsafe class LibTorchAbiTests
{
    private static LibTorchAbi Abi(bool microsoft) => new("lib", "", "", "", "", "", microsoft);

    [Theory]
    [InlineData("short")] // inline: 15 bytes or fewer
    [InlineData("a description longer than sixteen bytes, on the heap")]
    public void ReadsMicrosoftsLayout(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var storage = stackalloc nint[4];
        nint heap = 0;
        if (bytes.Length < 16)
        {
            Marshal.Copy(bytes, 0, (nint)storage, bytes.Length);
            storage[3] = 15;
        }
        else
        {
            heap = Marshal.AllocHGlobal(bytes.Length);
            Marshal.Copy(bytes, 0, heap, bytes.Length);
            storage[0] = heap;
            storage[3] = bytes.Length;
        }
        storage[2] = bytes.Length;
        try { Assert.Equal(text, Abi(microsoft: true).Text(storage)); }
        finally { if (heap != 0) Marshal.FreeHGlobal(heap); }
    }

    [Fact]
    public void ReadsLibstdcxxLayout()
    {
        var bytes = Encoding.UTF8.GetBytes("TORCH_VERSION=2.10.0");
        var heap = Marshal.AllocHGlobal(bytes.Length);
        try
        {
            Marshal.Copy(bytes, 0, heap, bytes.Length);
            var storage = stackalloc nint[4];
            storage[0] = heap;
            storage[1] = bytes.Length;
            Assert.Equal("TORCH_VERSION=2.10.0", Abi(microsoft: false).Text(storage));
        }
        finally { Marshal.FreeHGlobal(heap); }
    }

    [SkippableFact]
    public void OnLinuxTheSwitchAndTheVersionsAreRead()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the Itanium names are Linux's");
        Assert.True(LibTorchContext.CanSwitchOneDnn);
        Assert.Equal("2.10.0", LibTorchContext.TorchVersion);
    }
}

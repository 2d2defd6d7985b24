namespace Restormer.Platform;

/// <summary>
/// How libtorch_cpu's C++ exports are named and its <c>std::string</c> laid out on one platform: the Itanium ABI with
/// libstdc++ (Linux) or Microsoft's (Windows). Null for macOS, whose libc++ build was never checked.
/// </summary>
internal sealed unsafe record LibTorchAbi(string Library, string GlobalContext, string OneDnn, string SetOneDnn, string SetNnpack,
    string ShowConfig, bool Microsoft)
{
    public static LibTorchAbi? Current { get; } =
        OperatingSystem.IsLinux() ? new("libtorch_cpu.so", "_ZN2at13globalContextEv", "_ZNK2at7Context17userEnabledMkldnnEv",
            "_ZN2at7Context20setUserEnabledMkldnnEb", "_ZN2at7Context20setUserEnabledNNPACKEb", "_ZN2at11show_configB5cxx11Ev", false)
        : OperatingSystem.IsWindows() ? new("torch_cpu.dll", "?globalContext@at@@YAAEAVContext@1@XZ", "?userEnabledMkldnn@Context@at@@QEBA_NXZ",
            "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z", "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z",
            "?show_config@at@@YA?AV?$basic_string@DU?$char_traits@D@std@@V?$allocator@D@2@@std@@XZ", true)
        : null;

    /// <summary>
    /// The text of a <c>std::string</c> held in <paramref name="storage"/> (four pointer-sized words). libstdc++: data
    /// pointer, length, then a 16-byte inline buffer or the capacity. Microsoft's: a 16-byte inline buffer or the data
    /// pointer, length, capacity; the buffer is inline while the capacity is under 16.
    /// </summary>
    public string Text(nint* storage)
    {
        var (data, length) = !Microsoft ? (storage[0], storage[1]) : (storage[3] >= 16 ? storage[0] : (nint)storage, storage[2]);
        return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(data, checked((int)length));
    }
}

using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Restormer.Platform;

/// <summary>
/// The parts of libtorch's global context that TorchSharp does not expose: whether convolutions may use oneDNN
/// (<c>at::globalContext().setUserEnabledMkldnn</c>, what PyTorch's <c>torch.backends.mkldnn.enabled</c> sets) and the
/// build description (<c>at::show_config()</c>: libtorch's and oneDNN's versions). Reached through the exports of the
/// libtorch_cpu library TorchSharp has already loaded, by their Itanium C++ names (Linux); elsewhere, or where those
/// are missing (another build), the switch reports that it is unavailable instead of failing.
/// </summary>
public static unsafe partial class LibTorchContext
{
    private static readonly nint library = Open();

    /// <summary>True when oneDNN can be switched on and off in this libtorch.</summary>
    public static bool CanSwitchOneDnn => Export("_ZN2at13globalContextEv") != 0 && Export("_ZN2at7Context20setUserEnabledMkldnnEb") != 0
                                          && Export("_ZNK2at7Context17userEnabledMkldnnEv") != 0;

    /// <summary>Whether libtorch may use oneDNN for convolutions (its default is true); null when it cannot be read.</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            if (!CanSwitchOneDnn) return null;
            var get = (delegate* unmanaged<nint, byte>)Export("_ZNK2at7Context17userEnabledMkldnnEv");
            return get(Context()) != 0;
        }
    }

    /// <summary>
    /// Switches oneDNN for libtorch's convolutions on or off; false when this libtorch offers no such switch. NNPACK,
    /// libtorch's next choice for large batches, follows: it reads the same cache description and, where that is
    /// hidden, fails to initialise and prints a warning on every convolution.
    /// </summary>
    public static bool TrySetOneDnn(bool enabled)
    {
        if (!CanSwitchOneDnn) return false;
        Set("_ZN2at7Context20setUserEnabledMkldnnEb", enabled);
        Set("_ZN2at7Context20setUserEnabledNNPACKEb", enabled);
        return OneDnnEnabled == enabled;
    }

    private static void Set(string setter, bool enabled)
    {
        if (Export(setter) is var address and not 0)
            ((delegate* unmanaged<nint, byte, void>)address)(Context(), enabled ? (byte)1 : (byte)0);
    }

    /// <summary>libtorch's build description (<c>at::show_config()</c>), or null where it cannot be read.</summary>
    public static string? Config { get; } = ShowConfig();

    /// <summary>libtorch's version from its build description, e.g. "2.10.0".</summary>
    public static string? TorchVersion => Config is { } text && TorchVersionPattern().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The bundled oneDNN's version from libtorch's build description, e.g. "3.7.1".</summary>
    public static string? OneDnnVersion => Config is { } text && OneDnnVersionPattern().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static nint Context() => ((delegate* unmanaged<nint>)Export("_ZN2at13globalContextEv"))();

    /// <summary>
    /// <c>std::string at::show_config()</c> with the Itanium ABI: the caller passes the string's storage (pointer,
    /// length, 16-byte inline buffer or capacity) as a hidden first argument. The string's own buffer is left to the
    /// process (read once).
    /// </summary>
    private static string? ShowConfig()
    {
        nint function = Export("_ZN2at11show_configB5cxx11Ev");
        if (function == 0) return null;
        var storage = stackalloc nint[4];
        ((delegate* unmanaged<nint*, nint*>)function)(storage);
        return Marshal.PtrToStringUTF8(storage[0], checked((int)storage[1]));
    }

    private static nint Export(string name) => library != 0 && NativeLibrary.TryGetExport(library, name, out var address) ? address : 0;

    /// <summary>
    /// The libtorch_cpu that TorchSharp loaded: asking by its soname returns the copy already in the process, never a
    /// second one. Creating a tensor first makes TorchSharp load it. Only on Linux: the names looked up are the Itanium
    /// ABI's, and Windows' libtorch exports Microsoft's, so there every switch reports that it is unavailable.
    /// </summary>
    private static nint Open()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        using (TorchSharp.torch.zeros(1)) { }
        return NativeLibrary.TryLoad("libtorch_cpu.so", out var handle) ? handle : 0;
    }

    [GeneratedRegex(@"TORCH_VERSION=([0-9][0-9.]*)")]
    private static partial Regex TorchVersionPattern();

    [GeneratedRegex(@"MKL-DNN v([0-9][0-9.]*)")]
    private static partial Regex OneDnnVersionPattern();
}

using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Restormer.Platform;

/// <summary>
/// The parts of libtorch's global context that TorchSharp does not expose: whether convolutions may use oneDNN
/// (<c>at::globalContext().setUserEnabledMkldnn</c>, what PyTorch's <c>torch.backends.mkldnn.enabled</c> sets) and the
/// build description (<c>at::show_config()</c>: libtorch's and oneDNN's versions). Reached through the exports of the
/// libtorch_cpu library TorchSharp has already loaded, by their C++ names: the Itanium ABI's on Linux, Microsoft's on
/// Windows (<see cref="LibTorchAbi"/>). Elsewhere (macOS), or where those are missing (another build), the switch reports
/// that it is unavailable instead of failing.
/// </summary>
public static unsafe partial class LibTorchContext
{
    private static readonly LibTorchAbi? abi = LibTorchAbi.Current;
    private static readonly nint library = Open();

    /// <summary>True when oneDNN can be switched on and off in this libtorch.</summary>
    public static bool CanSwitchOneDnn => abi is not null && Export(abi.GlobalContext) != 0 && Export(abi.SetOneDnn) != 0 && Export(abi.OneDnn) != 0;

    /// <summary>Whether libtorch may use oneDNN for convolutions (its default is true); null when it cannot be read.</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            if (!CanSwitchOneDnn) return null;
            var get = (delegate* unmanaged<nint, byte>)Export(abi!.OneDnn);
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
        Set(abi!.SetOneDnn, enabled);
        Set(abi.SetNnpack, enabled);
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

    private static nint Context() => ((delegate* unmanaged<nint>)Export(abi!.GlobalContext))();

    /// <summary>
    /// <c>std::string at::show_config()</c>: the caller passes the 32 bytes of the returned string as a hidden first
    /// argument in both ABIs (<see cref="LibTorchAbi.Text"/> reads them). The string's own buffer is left to the process
    /// (read once).
    /// </summary>
    private static string? ShowConfig()
    {
        nint function = abi is null ? 0 : Export(abi.ShowConfig);
        if (function == 0) return null;
        var storage = stackalloc nint[4];
        ((delegate* unmanaged<nint*, nint*>)function)(storage);
        return abi!.Text(storage);
    }

    private static nint Export(string name) => library != 0 && NativeLibrary.TryGetExport(library, name, out var address) ? address : 0;

    /// <summary>
    /// The libtorch_cpu that TorchSharp loaded: asking by its soname (Linux) or module name (Windows) returns the copy
    /// already in the process, never a second one. Creating a tensor first makes TorchSharp load it.
    /// </summary>
    private static nint Open()
    {
        if (abi is null) return 0;
        using (TorchSharp.torch.zeros(1)) { }
        return NativeLibrary.TryLoad(abi.Library, out var handle) ? handle : 0;
    }

    [GeneratedRegex(@"TORCH_VERSION=([0-9][0-9.]*)")]
    private static partial Regex TorchVersionPattern();

    [GeneratedRegex(@"MKL-DNN v([0-9][0-9.]*)")]
    private static partial Regex OneDnnVersionPattern();
}

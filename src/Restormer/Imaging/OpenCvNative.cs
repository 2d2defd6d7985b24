using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>
/// Whether OpenCV's native library (OpenCvSharpExtern) is installed: on Linux it is; NuGet serves none for Windows or
/// macOS here, and touching OpenCvSharp without it fails its start-up (and left a later checkpoint load hanging under
/// Wine), so callers ask first.
/// </summary>
public static class OpenCvNative
{
    private static readonly Lazy<bool> available = new(() => NativeLibrary.TryLoad("OpenCvSharpExtern", typeof(Cv2).Assembly, null, out _));

    /// <summary>True when OpenCV's native library loads.</summary>
    public static bool Available => available.Value;
}

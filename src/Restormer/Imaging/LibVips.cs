using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// libvips as this library uses it: without its operation cache (each file is read once per restore, so the cache would
/// only keep input files open and their decoded headers in memory for the life of the process, a server's say), and
/// without its warnings on standard error: every failure reaches the caller as an exception, which the CLI turns into
/// one line naming the file, so a raw "VIPS-WARNING" line would only repeat it in libvips' words.
/// </summary>
internal static class LibVips
{
    /// <summary>Held in a static field so that the delegate libvips calls back into is never collected.</summary>
    private static readonly Log.LogDelegate Ignore = (_, _, _) => { };

    private static readonly Lazy<bool> Configured = new(() =>
    {
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning, Ignore);
        return true;
    });

    /// <summary>Applies the settings once; call before any libvips use.</summary>
    public static void Configure() => _ = Configured.Value;
}

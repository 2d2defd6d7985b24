using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// libvips as this library uses it: without its operation cache. Each file is read once per restore, so the cache would
/// only keep input files open and their decoded headers in memory for the life of the process (a server's, say).
/// </summary>
internal static class LibVips
{
    private static readonly Lazy<bool> Configured = new(() =>
    {
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        return true;
    });

    /// <summary>Applies the settings once; call before any libvips use.</summary>
    public static void Configure() => _ = Configured.Value;
}

using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// libvips as this library uses it: without its operation cache, which would keep input files open after use and
/// could answer a header request with an earlier file's when a file is replaced at the same path.
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

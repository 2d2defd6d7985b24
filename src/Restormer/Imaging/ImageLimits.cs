using System.Globalization;

namespace Restormer.Imaging;

/// <summary>
/// The largest image the library decodes. A small compressed file can declare a huge canvas (a 3 MB PNG of
/// 32000×32000 pixels decodes to 3 GB, and restoring holds several float copies of it), so the size a header
/// declares is checked against this limit before any decoding.
/// </summary>
public static class ImageLimits
{
    /// <summary>
    /// 40 megapixels (e.g. 7680×5120): restoring one holds about 80 bytes per pixel of whole-image buffers (decoded
    /// pixels, float input, tile sums, output) beside the network's <c>--memory-budget</c>, about 3 GiB at the limit.
    /// </summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The environment variable that changes the default for every command (a number of pixels).</summary>
    public const string EnvironmentVariable = "RESTORMER_MAX_PIXELS";

    /// <summary>Largest value accepted from the command line or the environment (2³¹ pixels: OpenCV's own ceiling).</summary>
    public const long Ceiling = 1L << 31;

    /// <summary>The limit in force when none is given: <see cref="EnvironmentVariable"/> when set, else <see cref="DefaultMaxPixels"/>.</summary>
    public static long MaxPixels
    {
        get
        {
            var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(text)) return DefaultMaxPixels;
            if (!long.TryParse(text.Trim().Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1 || value > Ceiling)
                throw new ArgumentException($"{EnvironmentVariable}='{text}' is not a pixel count from 1 to {Ceiling}: unset it or give e.g. {DefaultMaxPixels}.");
            return value;
        }
    }

    /// <summary>
    /// The largest image file worth reading for a limit of <paramref name="maxPixels"/>: the pixels uncompressed at 16
    /// bits in four channels (8 bytes each, the most any format this tool reads stores) plus 64 MiB of metadata. At the
    /// default limit, 384 MB. Input of unknown length (standard input) is read only up to this.
    /// </summary>
    public static long MaxFileBytes(long maxPixels) => maxPixels * 8 + (64L << 20);

    /// <summary>A pixel count as megapixels for messages, e.g. <c>1024.0 MP</c>.</summary>
    public static string Megapixels(long pixels) => $"{pixels / 1e6:0.0} MP";
}

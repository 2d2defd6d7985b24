namespace Restormer.Video;

/// <summary>
/// FFmpeg's pixel formats as this machine's <c>ffmpeg</c> describes them (<c>-pix_fmts</c>, <c>-h encoder=</c>),
/// read once: bit depths, and which formats each encoder takes.
/// </summary>
public static class PixelFormats
{
    private static readonly Lazy<Dictionary<string, int>> Depths = new(ReadDepths);
    private static readonly Dictionary<string, IReadOnlyList<string>> Supported = [];

    /// <summary>Largest bits per component of <paramref name="pixelFormat"/> (8 when FFmpeg does not know it).</summary>
    public static int Depth(string pixelFormat) => Depths.Value.GetValueOrDefault(pixelFormat, 8);

    /// <summary>The pixel formats <paramref name="encoder"/> accepts, in FFmpeg's order.</summary>
    public static IReadOnlyList<string> Of(string encoder)
    {
        lock (Supported)
        {
            if (Supported.TryGetValue(encoder, out var known)) return known;
            var help = FFmpeg.Run("ffmpeg", ["-hide_banner", "-h", $"encoder={encoder}"], $"Cannot ask FFmpeg about the encoder {encoder}");
            var line = help.Split('\n').FirstOrDefault(l => l.Trim().StartsWith("Supported pixel formats:"));
            return Supported[encoder] = line is null ? [] : line.Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    // Lines look like "IO... yuv420p10le            3             15      10-10-10".
    private static Dictionary<string, int> ReadDepths()
    {
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in FFmpeg.Run("ffmpeg", ["-hide_banner", "-pix_fmts"], "Cannot list FFmpeg's pixel formats").Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is [{ Length: 5 }, var name, _, _, var bits] && bits.Split('-').All(b => int.TryParse(b, out _)))
                depths[name] = bits.Split('-').Max(int.Parse);
        }
        return depths;
    }
}

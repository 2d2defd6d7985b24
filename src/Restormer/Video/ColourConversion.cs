namespace Restormer.Video;

/// <summary>
/// The <c>scale</c> filters between the clip's YUV and the BGR frames the network sees, with the clip's own matrix
/// and range: FFmpeg would otherwise assume BT.601 limited range, shifting the colours of HD (BT.709) and full-range
/// clips once on the way in and again on the way out. Both directions use the same accurate rounding and full chroma
/// interpolation.
/// </summary>
public static class ColourConversion
{
    private const string Flags = "flags=bicubic+accurate_rnd+full_chroma_int";

    /// <summary>The filter taking decoded frames to <paramref name="bgrFormat"/>.</summary>
    public static string ToBgr(VideoInfo clip, string bgrFormat) =>
        $"scale=in_color_matrix={Matrix(clip)}:in_range={Range(clip)}:{Flags},format={bgrFormat}";

    /// <summary>The filter taking BGR frames to <paramref name="pixelFormat"/> (the output's).</summary>
    public static string FromBgr(VideoInfo clip, string pixelFormat) =>
        $"scale=out_color_matrix={Matrix(clip)}:out_range={Range(clip)}:{Flags},format={pixelFormat}";

    /// <summary>swscale's name for the clip's matrix; BT.601 when the clip does not say (swscale's own assumption).</summary>
    private static string Matrix(VideoInfo clip) => clip.ColorSpace switch
    {
        "bt709" => "bt709",
        "fcc" => "fcc",
        "smpte240m" => "smpte240m",
        "bt2020nc" or "bt2020c" => "bt2020",
        _ => "bt601",
    };

    private static string Range(VideoInfo clip) => clip.ColorRange == "pc" || clip.PixelFormat.StartsWith("yuvj", StringComparison.Ordinal) ? "pc" : "tv";
}

using System.Globalization;

namespace Restormer.Video;

/// <summary>The codecs a restored clip is encoded with (FFmpeg's encoders for them on Debian).</summary>
public enum VideoCodec
{
    /// <summary>H.264 (libx264), the default: plays everywhere.</summary>
    H264,
    /// <summary>HEVC / H.265 (libx265): about half H.264's size for the same look.</summary>
    Hevc,
    /// <summary>AV1 (libsvtav1).</summary>
    Av1,
    /// <summary>VP9 (libvpx-vp9), the default for .webm.</summary>
    Vp9,
    /// <summary>FFV1, lossless: the frames exactly as restored (in the clip's pixel format), large files.</summary>
    Ffv1,
}

/// <summary>Names, encoder settings and pixel formats of <see cref="VideoCodec"/>.</summary>
public static class VideoCodecs
{
    public const string Names = "h264, hevc, av1, vp9, ffv1";

    /// <summary>Parses a user's name (h264, avc, hevc, h265, av1, vp9, ffv1).</summary>
    public static VideoCodec Parse(string name) => name.ToLowerInvariant() switch
    {
        "h264" or "avc" or "x264" => VideoCodec.H264,
        "hevc" or "h265" or "x265" => VideoCodec.Hevc,
        "av1" => VideoCodec.Av1,
        "vp9" => VideoCodec.Vp9,
        "ffv1" => VideoCodec.Ffv1,
        _ => throw new ArgumentException($"Unknown video codec '{name}': use one of {Names}."),
    };

    public static string Name(this VideoCodec codec) => codec.ToString().ToLowerInvariant();

    /// <summary>FFmpeg's encoder.</summary>
    public static string Encoder(this VideoCodec codec) => codec switch
    {
        VideoCodec.H264 => "libx264",
        VideoCodec.Hevc => "libx265",
        VideoCodec.Av1 => "libsvtav1",
        VideoCodec.Vp9 => "libvpx-vp9",
        _ => "ffv1",
    };

    /// <summary>
    /// The constant-quality setting for <paramref name="quality"/> (1–100, as for JPEG): 100 is the encoder's best
    /// setting we use (CRF 12 for x264/x265, 10 for VP9/AV1; visually lossless), 1 its worst; the default 95 gives
    /// CRF 14 with x264, below the 17–18 usually taken as visually lossless, so the restored detail survives.
    /// </summary>
    public static int Crf(this VideoCodec codec, int quality)
    {
        var (worst, best) = codec is VideoCodec.H264 or VideoCodec.Hevc ? (51, 12) : (63, 10);
        return (int)Math.Round(worst - (quality - 1) * (worst - best) / 99.0);
    }

    /// <summary>The encoder's arguments (after <c>-c:v</c>) for <paramref name="quality"/>.</summary>
    public static IReadOnlyList<string> Arguments(this VideoCodec codec, int quality)
    {
        var crf = codec.Crf(quality).ToString(CultureInfo.InvariantCulture);
        return codec switch
        {
            VideoCodec.H264 => ["-crf", crf, "-preset", "medium"],
            VideoCodec.Hevc => ["-crf", crf, "-preset", "medium", "-x265-params", "log-level=error"],
            VideoCodec.Av1 => ["-crf", crf, "-preset", "8"],
            VideoCodec.Vp9 => ["-crf", crf, "-b:v", "0", "-deadline", "good", "-cpu-used", "4", "-row-mt", "1"],
            _ => ["-level", "3"],
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming another codec when <paramref name="codec"/> cannot encode frames of this size in <paramref name="pixelFormat"/>.</summary>
    public static void CheckSize(this VideoCodec codec, VideoInfo clip, string pixelFormat)
    {
        if (codec == VideoCodec.Av1 && (clip.Width < 64 || clip.Height < 64))
            throw new ArgumentException($"'{clip.Path}': AV1 (SVT-AV1) takes frames of at least 64×64, and this clip's are {clip.Width}×{clip.Height}: use --codec hevc, vp9 or h264.");
        if (pixelFormat.StartsWith("yuv420", StringComparison.Ordinal) && (clip.Width % 2 != 0 || clip.Height % 2 != 0))
            throw new ArgumentException($"'{clip.Path}': its {clip.Width}×{clip.Height} frames have an odd side, which {codec.Name()} in 4:2:0 cannot hold: use --codec ffv1 (lossless, any size) and an .mkv output.");
    }

    /// <summary>
    /// The output's pixel format for a clip in <paramref name="input"/>: FFV1 keeps the clip's own; the lossy codecs
    /// take 4:2:0 (what players expect), in 10 bits when the clip has more than 8 and the encoder takes 10.
    /// </summary>
    public static string PixelFormat(this VideoCodec codec, string input)
    {
        var supported = PixelFormats.Of(codec.Encoder());
        if (codec == VideoCodec.Ffv1)
            return supported.Contains(input) ? input : PixelFormats.Depth(input) > 8 ? "rgb48le" : "bgr0";
        return PixelFormats.Depth(input) > 8 && supported.Contains("yuv420p10le") ? "yuv420p10le" : "yuv420p";
    }
}

namespace Restormer.Video;

/// <summary>
/// Which files are videos (by extension, as FFmpeg picks the container by it) and which codecs each output container
/// holds, so a run refuses an impossible pair before any work.
/// </summary>
public static class VideoContainers
{
    private static readonly Dictionary<string, VideoCodec[]> Codecs = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = [VideoCodec.H264, VideoCodec.Hevc, VideoCodec.Av1, VideoCodec.Vp9],
        [".m4v"] = [VideoCodec.H264, VideoCodec.Hevc, VideoCodec.Av1, VideoCodec.Vp9],
        [".mov"] = [VideoCodec.H264, VideoCodec.Hevc, VideoCodec.Ffv1],
        [".mkv"] = [VideoCodec.H264, VideoCodec.Hevc, VideoCodec.Av1, VideoCodec.Vp9, VideoCodec.Ffv1],
        [".webm"] = [VideoCodec.Vp9, VideoCodec.Av1],
        [".avi"] = [VideoCodec.H264, VideoCodec.Ffv1],
    };

    /// <summary>Extensions read as videos: the containers above and a few more FFmpeg reads (their output becomes .mp4 in a folder run).</summary>
    private static readonly HashSet<string> Inputs = new([.. Codecs.Keys, ".mpg", ".mpeg", ".ts", ".mts", ".m2ts", ".3gp", ".flv", ".wmv", ".ogv"],
        StringComparer.OrdinalIgnoreCase);

    public const string Names = "mp4, mov, mkv, webm, avi";

    /// <summary>Whether <paramref name="path"/> names a video by its extension.</summary>
    public static bool IsVideo(string path) => Inputs.Contains(Path.GetExtension(path));

    /// <summary>Whether <paramref name="path"/> names a container restored clips can be written to.</summary>
    public static bool IsOutput(string path) => Codecs.ContainsKey(Path.GetExtension(path));

    /// <summary>The extension a clip restored into a folder gets: its own when it is an output container, else .mp4.</summary>
    public static string OutputExtension(string input) => IsOutput(input) ? Path.GetExtension(input).ToLowerInvariant() : ".mp4";

    /// <summary>The codec used when none is asked: H.264, or VP9 for WebM (which takes no H.264).</summary>
    public static VideoCodec DefaultCodec(string output) => Path.GetExtension(output).Equals(".webm", StringComparison.OrdinalIgnoreCase) ? VideoCodec.Vp9 : VideoCodec.H264;

    /// <summary>Throws <see cref="ArgumentException"/> naming what to change when <paramref name="output"/>'s container cannot hold <paramref name="codec"/>.</summary>
    public static void Check(string output, VideoCodec codec)
    {
        var extension = Path.GetExtension(output);
        if (!Codecs.TryGetValue(extension, out var codecs))
            throw new ArgumentException($"'{output}': restored videos are written as {Names}; give the output one of these extensions.");
        if (!codecs.Contains(codec))
            throw new ArgumentException($"'{output}': a {extension} file cannot hold {codec.Name()}; use --codec {string.Join(" or ", codecs.Select(c => c.Name()))}, or another container (.mkv holds all).");
    }

    /// <summary>Whether the container stores a display rotation (FFmpeg 5.1 writes it in MP4 and QuickTime only).</summary>
    public static bool StoresRotation(string output) => Path.GetExtension(output).ToLowerInvariant() is ".mp4" or ".m4v" or ".mov";
}

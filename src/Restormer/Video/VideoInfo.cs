using System.Globalization;
using System.Text.Json;

namespace Restormer.Video;

/// <summary>
/// What a clip is, as <c>ffprobe -print_format json</c> reports it: the first video stream's size, pixel format,
/// timing and colour description, its display rotation, and the streams that are copied alongside it.
/// </summary>
public sealed record VideoInfo
{
    public required string Path { get; init; }
    /// <summary>The video stream's index in the file.</summary>
    public required int StreamIndex { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>FFmpeg's pixel format name, e.g. <c>yuv420p</c>, <c>yuv420p10le</c>, <c>gbrp</c>.</summary>
    public required string PixelFormat { get; init; }
    /// <summary>Bits per sample of the pixel format (8, 10, 12, 16).</summary>
    public int BitDepth => PixelFormats.Depth(PixelFormat);
    /// <summary>The video stream's time base, in which <see cref="Timeline"/> counts.</summary>
    public required (long Num, long Den) TimeBase { get; init; }
    /// <summary>The stream's frame rate (<c>avg_frame_rate</c>, else <c>r_frame_rate</c>), e.g. <c>30000/1001</c>.</summary>
    public required string FrameRate { get; init; }
    /// <summary>Display rotation in degrees as the container stores it (0 when none).</summary>
    public int Rotation { get; init; }
    public string? ColorPrimaries { get; init; }
    public string? ColorTransfer { get; init; }
    public string? ColorSpace { get; init; }
    /// <summary><c>tv</c> (limited) or <c>pc</c> (full), or null when unknown.</summary>
    public string? ColorRange { get; init; }
    /// <summary>Sample aspect ratio as <c>num:den</c>, or null when square or unknown.</summary>
    public string? SampleAspectRatio { get; init; }
    /// <summary>The file's start time in seconds (FFmpeg shifts copied streams by it).</summary>
    public double StartTime { get; init; }
    public double Duration { get; init; }

    /// <summary>Reads <paramref name="path"/>'s streams.</summary>
    /// <exception cref="InvalidDataException">FFmpeg cannot read the file, or it has no video stream; the message names the file.</exception>
    public static VideoInfo Probe(string path, CancellationToken cancellation = default)
    {
        string json;
        try
        {
            json = FFmpeg.Run("ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", FFmpeg.FileUrl(path)],
                $"'{path}' is not a video FFmpeg can read", cancellation);
        }
        catch (IOException e)
        {
            throw new InvalidDataException(e.Message + " (check the file is complete, or convert it first).", e);
        }
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        string Type(JsonElement e) => Text(e, "codec_type") ?? "";
        bool Picture(JsonElement e) => e.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.GetInt32() == 1;
        var video = streams.FirstOrDefault(e => Type(e) == "video" && !Picture(e));
        if (video.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{path}' has no video stream: give a video file (mp4, mov, mkv, webm, avi).");
        var format = root.TryGetProperty("format", out var f) ? f : default;
        var timeBase = Ratio(Text(video, "time_base")) ?? (1, 90000);
        return new VideoInfo
        {
            Path = path,
            StreamIndex = video.GetProperty("index").GetInt32(),
            Width = video.GetProperty("width").GetInt32(),
            Height = video.GetProperty("height").GetInt32(),
            PixelFormat = Text(video, "pix_fmt") ?? throw new InvalidDataException($"'{path}': FFmpeg cannot tell the video's pixel format (is its codec supported?)."),
            TimeBase = timeBase,
            // The average rate where known (it sets the last frame's length), else the nominal one.
            FrameRate = new[] { Text(video, "avg_frame_rate"), Text(video, "r_frame_rate") }.FirstOrDefault(r => Ratio(r) is { Num: > 0 }) ?? "25/1",
            Rotation = DisplayRotation(video),
            ColorPrimaries = Known(Text(video, "color_primaries")),
            ColorTransfer = Known(Text(video, "color_transfer")),
            ColorSpace = Known(Text(video, "color_space")),
            ColorRange = Known(Text(video, "color_range")),
            SampleAspectRatio = Text(video, "sample_aspect_ratio") is { } sar && sar != "1:1" && sar != "0:1" ? sar : null,
            StartTime = Number(format, "start_time"),
            Duration = Number(format, "duration"),
        };
    }

    private static int DisplayRotation(JsonElement video)
    {
        if (video.TryGetProperty("side_data_list", out var list))
            foreach (var side in list.EnumerateArray())
                if (side.TryGetProperty("rotation", out var r))
                    return (int)Math.Round(r.GetDouble());
        return 0;
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    private static string? Known(string? value) => value is null or "unknown" or "unspecified" or "reserved" ? null : value;

    private static double Number(JsonElement e, string name) =>
        double.TryParse(Text(e, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static (long Num, long Den)? Ratio(string? text)
    {
        var parts = text?.Split('/', ':');
        return parts is [var n, var d] && long.TryParse(n, out var num) && long.TryParse(d, out var den) && den > 0 ? (num, den) : null;
    }
}

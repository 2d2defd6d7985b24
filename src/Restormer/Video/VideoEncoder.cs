using System.Globalization;

namespace Restormer.Video;

/// <summary>
/// Writes the output clip from the restored chunks: one <c>ffmpeg</c> run reads them in order (concat demuxer),
/// gives every frame its original time back (<see cref="Timeline.SetptsFilter"/>), encodes with the chosen codec in the
/// clip's colour description, and copies the original's audio and subtitle streams, metadata and chapters untouched.
/// The chunks are lossless, so an interrupted and resumed run encodes exactly the frames an uninterrupted one does,
/// and gives the same file.
/// </summary>
public static class VideoEncoder
{
    /// <summary>
    /// Encodes into <paramref name="output"/> (a temporary name whose extension picks the container; messages name
    /// <paramref name="shownAs"/>); returns what could not be kept, for the user.
    /// </summary>
    public static IReadOnlyList<string> Encode(VideoInfo clip, Timeline timeline, IReadOnlyList<string> chunks, string workFolder, string output, string shownAs,
                                               VideoCodec codec, int quality, string pixelFormat, CancellationToken cancellation)
    {
        var list = Path.Combine(workFolder, "chunks.txt");
        File.WriteAllLines(list, chunks.Select(c => $"file '{FFmpeg.FileUrl(c).Replace("'", @"'\''")}'"));
        var filter = Path.Combine(workFolder, "timeline.txt");
        File.WriteAllText(filter, timeline.SetptsFilter(clip.TimeBase) + (clip.SampleAspectRatio is { } sar ? $",setsar={sar.Replace(':', '/')}" : ""));
        bool mp4 = VideoContainers.StoresRotation(output);
        bool rotate = clip.Rotation != 0 && mp4;
        var encoded = rotate ? Path.Combine(workFolder, "encoded" + Path.GetExtension(output)) : output;
        List<string> arguments =
        [
            "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", FFmpeg.FileUrl(list), "-i", FFmpeg.FileUrl(clip.Path),
            "-map", "0:v:0", "-map", "1:a?", "-map", "1:s?", "-filter_script:v", FFmpeg.FileUrl(filter),
            "-fps_mode", "passthrough", "-enc_time_base", $"{clip.TimeBase.Num}/{clip.TimeBase.Den}",
            "-c:v", codec.Encoder(), .. codec.Arguments(quality), "-pix_fmt", pixelFormat,
            "-c:a", "copy", "-c:s", "copy",
            "-map_metadata", "1", "-map_metadata:s:v:0", $"1:s:{clip.StreamIndex.ToString(CultureInfo.InvariantCulture)}", "-map_chapters", "1",
        ];
        void Colour(string option, string? value) { if (value is not null) arguments.AddRange([option, value]); }
        // ffprobe names a few values otherwise than the options take them.
        bool rgb = pixelFormat.StartsWith("gbr", StringComparison.Ordinal) || pixelFormat.StartsWith("bgr", StringComparison.Ordinal) || pixelFormat.StartsWith("rgb", StringComparison.Ordinal);
        Colour("-color_primaries", clip.ColorPrimaries);
        Colour("-color_trc", clip.ColorTransfer switch { "bt470m" => "gamma22", "bt470bg" => "gamma28", var trc => trc });
        // An RGB clip written as YUV was converted with BT.601 (ColourConversion), so it says so.
        Colour("-colorspace", clip.ColorSpace == "gbr" ? rgb ? "rgb" : "smpte170m" : clip.ColorSpace);
        Colour("-color_range", clip.ColorRange);
        if (mp4) arguments.AddRange(["-video_track_timescale", clip.TimeBase.Den.ToString(CultureInfo.InvariantCulture)]);
        if (mp4 && codec == VideoCodec.Hevc) arguments.AddRange(["-tag:v", "hvc1"]); // what Apple's players want
        arguments.Add(FFmpeg.FileUrl(encoded));
        Run(arguments, shownAs, cancellation);
        if (rotate)
        {
            // FFmpeg 5.1 sets a display matrix only on copied streams, so the rotation goes on in a second, copying pass.
            Run(["-nostdin", "-v", "error", "-y", "-i", FFmpeg.FileUrl(encoded), "-map", "0", "-c", "copy", "-map_metadata", "0",
                 "-metadata:s:v:0", $"rotate={clip.Rotation.ToString(CultureInfo.InvariantCulture)}", FFmpeg.FileUrl(output)], shownAs, cancellation);
            File.Delete(encoded);
        }
        return clip.Rotation != 0 && !mp4
            ? [$"the clip's display rotation ({clip.Rotation}°) is not stored in {Path.GetExtension(shownAs)} files by this FFmpeg; write .mp4 or .mov to keep it"]
            : [];
    }

    private static void Run(IEnumerable<string> arguments, string shownAs, CancellationToken cancellation)
    {
        using var child = FFmpeg.Start("ffmpeg", arguments);
        child.WaitForExit(cancellation);
        if (child.Process.ExitCode != 0)
            throw new IOException($"Encoding '{shownAs}' failed: {child.Failure}." + (Path.GetExtension(shownAs) == ".mkv" ? ""
                : $" If FFmpeg cannot copy an audio or subtitle stream into {Path.GetExtension(shownAs)}, write .mkv, which holds nearly all."));
    }
}

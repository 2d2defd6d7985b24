using System.Globalization;
using OpenCvSharp;
using Restormer.Video;

namespace Restormer.Tests.Video;

/// <summary>Small clips made with the real FFmpeg for the video tests, and what the tests read back from clips.</summary>
public static class TestClips
{
    /// <summary>Skips the calling [SkippableFact] through xunit, naming the package, when FFmpeg is not installed.</summary>
    public static void SkipIfMissing() =>
        Skip.IfNot(FFmpeg.IsInstalled, "Video test not run: needs ffmpeg and ffprobe (apt-get install ffmpeg; setup.sh installs it).");

    public static void Make(params string[] arguments) =>
        FFmpeg.Run("ffmpeg", ["-nostdin", "-v", "error", "-y", .. arguments], "Making a test clip");

    /// <summary>
    /// A <paramref name="size"/> (64×48) H.264 clip of <paramref name="frames"/> frames at 10 fps with a 50 ms jump after frame 5 (variable frame
    /// rate), blurred, with a 440 Hz tone (AAC), two subtitles (mov_text), BT.709 colour, a title and a 90° rotation.
    /// </summary>
    public static string Shaky(string folder, int frames = 20, string size = "64x48")
    {
        var seconds = (frames / 10.0).ToString(CultureInfo.InvariantCulture);
        var subtitles = Path.Combine(folder, "subs.srt");
        File.WriteAllText(subtitles, "1\n00:00:00,000 --> 00:00:01,000\nHello\n\n2\n00:00:01,000 --> 00:00:02,000\nWorld\n");
        var plain = Path.Combine(folder, "plain.mp4");
        Make("-f", "lavfi", "-i", $"testsrc2=size={size}:rate=10:duration={seconds}", "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}",
             "-i", subtitles, "-map", "0", "-map", "1", "-map", "2",
             "-vf", "boxblur=2,settb=1/1000,setpts='PTS+if(gt(N,4),50,0)'", "-fps_mode", "vfr", "-enc_time_base", "1/1000", "-video_track_timescale", "1000",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
             "-c:a", "aac", "-c:s", "mov_text", "-metadata", "title=Shaky test", plain);
        var clip = Path.Combine(folder, "shaky.mp4");
        Make("-i", plain, "-map", "0", "-c", "copy", "-metadata:s:v:0", "rotate=90", clip); // FFmpeg 5.1 rotates copied streams only
        File.Delete(plain);
        File.Delete(subtitles);
        return clip;
    }

    /// <summary>The MD5 of <paramref name="stream"/> (<c>a</c> or <c>s</c>) of <paramref name="clip"/>, its packets copied untouched.</summary>
    public static string StreamMd5(string clip, string stream) =>
        FFmpeg.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", clip, "-map", $"0:{stream}", "-c", "copy", "-f", "md5", "-"], "Hashing a stream").Trim();

    /// <summary>Each frame's presentation time in the first video stream, as ffprobe decodes them.</summary>
    public static IReadOnlyList<string> FrameTimes(string clip) =>
        FFmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0", clip], "Reading frame times")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every decoded frame of <paramref name="clip"/>, as the restorer sees them (dispose them).</summary>
    public static List<Mat> Frames(string clip)
    {
        using var decoder = new FrameDecoder(VideoInfo.Probe(clip));
        var frames = new List<Mat>();
        while (decoder.Next() is { } frame) frames.Add(frame);
        return frames;
    }
}

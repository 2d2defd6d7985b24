using System.Globalization;
using OpenCvSharp;

namespace Restormer.Video;

/// <summary>
/// A clip's frames as BGR Mats (8 bits, or 16 for deeper clips), in presentation order, each exactly once
/// (<c>-fps_mode passthrough</c>), in the stored orientation (the rotation is kept as metadata instead), decoded by an
/// <c>ffmpeg</c> child and read from its standard output one frame at a time: memory holds one frame, whatever the
/// clip's length.
/// </summary>
public sealed class FrameDecoder : IDisposable
{
    private readonly FFmpeg.Child child;
    private readonly Stream stream;
    private readonly VideoInfo clip;
    private int index;

    /// <summary>The BGR layout frames come in: bgr48le for clips of more than 8 bits, else bgr24.</summary>
    public static string BgrFormat(VideoInfo clip) => clip.BitDepth > 8 ? "bgr48le" : "bgr24";

    public FrameDecoder(VideoInfo clip)
    {
        this.clip = clip;
        child = FFmpeg.Start("ffmpeg", ["-nostdin", "-v", "error", "-noautorotate", "-i", FFmpeg.FileUrl(clip.Path),
            "-map", $"0:{clip.StreamIndex.ToString(CultureInfo.InvariantCulture)}", "-vf", ColourConversion.ToBgr(clip, BgrFormat(clip)),
            "-fps_mode", "passthrough", "-f", "rawvideo", "pipe:1"], readOutput: true);
        stream = child.Process.StandardOutput.BaseStream;
    }

    /// <summary>The next frame (dispose it), or null after the last.</summary>
    /// <exception cref="IOException">FFmpeg stopped on an error (a damaged clip); the message names the file and the frame.</exception>
    public unsafe Mat? Next()
    {
        var frame = new Mat(clip.Height, clip.Width, clip.BitDepth > 8 ? MatType.CV_16UC3 : MatType.CV_8UC3);
        int read = stream.ReadAtLeast(new Span<byte>((void*)frame.Data, (int)(frame.Total() * frame.ElemSize())), (int)(frame.Total() * frame.ElemSize()), throwOnEndOfStream: false);
        if (read == frame.Total() * frame.ElemSize())
        {
            index++;
            return frame;
        }
        frame.Dispose();
        child.WaitForExit();
        if (child.Process.ExitCode != 0 || read != 0)
            throw new IOException($"'{clip.Path}': decoding stopped at frame {index + 1}: {child.Failure}.");
        return null;
    }

    public void Dispose() => child.Dispose();
}

using System.Globalization;
using OpenCvSharp;

namespace Restormer.Video;

/// <summary>
/// Restored frames, encoded losslessly (FFV1 in Matroska) in the output's pixel format by an <c>ffmpeg</c> child as
/// they come, into one chunk of the <see cref="WorkFolder"/>. The chunk gets its final name, which says its first
/// frame and its count, only once FFmpeg has closed it: a chunk under its name is always whole.
/// </summary>
public sealed class ChunkWriter : IDisposable
{
    private readonly FFmpeg.Child child;
    private readonly Stream input;
    private readonly string temporary;
    private readonly string folder;
    private bool finished;

    /// <summary>The first frame's index in the clip.</summary>
    public int Start { get; }

    /// <summary>Frames written so far.</summary>
    public int Count { get; private set; }

    public ChunkWriter(string folder, int start, VideoInfo clip, string pixelFormat)
    {
        (this.folder, Start) = (folder, start);
        temporary = Path.Combine(folder, $".chunk.partial-{Environment.ProcessId}-{Guid.NewGuid():N}.mkv");
        child = FFmpeg.Start("ffmpeg", ["-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", FrameDecoder.BgrFormat(clip),
            "-s", $"{clip.Width}x{clip.Height}", "-framerate", clip.FrameRate, "-i", "pipe:0",
            "-vf", ColourConversion.FromBgr(clip, pixelFormat), "-c:v", "ffv1", "-level", "3", "-f", "matroska", FFmpeg.FileUrl(temporary)], writeInput: true);
        input = child.Process.StandardInput.BaseStream;
    }

    /// <summary>Appends a restored frame (BGR, the clip's size and depth).</summary>
    public unsafe void Write(Mat frame)
    {
        try { input.Write(new ReadOnlySpan<byte>((void*)frame.Data, (int)(frame.Total() * frame.ElemSize()))); }
        catch (IOException) { throw Failed(); }
        Count++;
    }

    /// <summary>Closes the chunk and names it; returns its path, or null when it holds no frame (then nothing is kept).</summary>
    public string? Finish()
    {
        finished = true;
        try { input.Close(); }
        catch (IOException) { throw Failed(); }
        child.WaitForExit();
        if (child.Process.ExitCode != 0) throw Failed();
        if (Count == 0)
        {
            File.Delete(temporary);
            return null;
        }
        var path = Path.Combine(folder, Name(Start, Count));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>A chunk's file name: its first frame and count, e.g. <c>000000016+16.mkv</c>.</summary>
    public static string Name(int start, int count) => string.Create(CultureInfo.InvariantCulture, $"{start:D9}+{count}.mkv");

    /// <summary>The first frame and count a chunk's file name says, or null for another file.</summary>
    public static (int Start, int Count)? Parse(string fileName)
    {
        var parts = Path.GetFileNameWithoutExtension(fileName).Split('+');
        return Path.GetExtension(fileName) == ".mkv" && parts is [var s, var c] && int.TryParse(s, out var start) && int.TryParse(c, out var count) && count > 0
            ? (start, count) : null;
    }

    private IOException Failed()
    {
        child.WaitForExit();
        return new IOException($"Writing restored frames to '{folder}' failed: {child.Failure} (is the disk full?).");
    }

    /// <summary>Stops FFmpeg and deletes the unfinished chunk, unless <see cref="Finish"/> named it.</summary>
    public void Dispose()
    {
        child.Dispose();
        if (!finished || File.Exists(temporary))
            try { File.Delete(temporary); } catch (IOException) { }
    }
}

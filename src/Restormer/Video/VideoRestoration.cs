using System.Collections.Concurrent;
using System.Text.Json;
using OpenCvSharp;
using Restormer.IO;

namespace Restormer.Video;

/// <summary>
/// Restores <paramref name="frames"/> (BGR, 8 or 16 bits) into <paramref name="restored"/>, same index, new Mats of the
/// same size and depth; reports the frames done (fractions within a frame). A cancelled call throws having filled some
/// entries: those in front without a gap are kept.
/// </summary>
public delegate void FramesRestore(IReadOnlyList<Mat> frames, Mat?[] restored, IProgress<double> progress, CancellationToken cancellation);

/// <summary>
/// Restores a clip frame by frame: a decoder thread reads ahead (<see cref="FrameDecoder"/>, two frames queued), the
/// frames go through the network (one at a time here, or a window of them handed to queue workers), and FFmpeg encodes behind into lossless chunks (<see cref="ChunkWriter"/>,
/// <see cref="FramesPerChunk"/> frames each) in the <see cref="WorkFolder"/>; when every frame is restored,
/// <see cref="VideoEncoder"/> writes the output under a temporary name and renames it (<see cref="AtomicFile"/>).
/// Memory holds a few frames whatever the clip's length. A cancelled run closes the chunk in work, keeping every
/// frame already restored; run again, it restores only the rest, and the output equals an uninterrupted run's.
/// </summary>
public static class VideoRestoration
{
    /// <summary>Frames per chunk: what a killed (not cancelled) run can lose, at most.</summary>
    public const int FramesPerChunk = 16;

    /// <summary>
    /// Restores <paramref name="input"/> into <paramref name="output"/> with <paramref name="restore"/>, given up to
    /// <paramref name="window"/> frames at a time. <paramref name="model"/> describes the network and its options:
    /// chunks left by a run with another description (or another input file) are discarded rather than mixed in.
    /// </summary>
    public static VideoResult Run(string input, string output, VideoSaveOptions save, FramesRestore restore, int window, string model, long maxPixels,
                                  IProgress<VideoProgress>? progress, CancellationToken cancellation)
    {
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
            throw new IOException($"Refusing to overwrite the input '{input}': choose another output path.");
        save.Validate(output);
        if (FileKind.NotRegular(input) is { } kind)
            throw new FileNotFoundException($"'{input}' is {kind}, not a video file.");
        var codec = save.CodecFor(output);
        var clip = VideoInfo.Probe(input, cancellation);
        if ((long)clip.Width * clip.Height > maxPixels)
            throw new InvalidDataException($"'{input}': its {clip.Width}×{clip.Height} frames are over the pixel limit of {maxPixels:N0}; raise --max-pixels to restore it.");
        var timeline = Timeline.Read(clip, cancellation);
        var pixelFormat = codec.PixelFormat(clip.PixelFormat);
        codec.CheckSize(clip, pixelFormat);
        var source = new FileInfo(input);
        var job = JsonSerializer.Serialize(new
        {
            Input = source.FullName, source.Length, Modified = source.LastWriteTimeUtc.Ticks, timeline.FrameCount, PixelFormat = pixelFormat, Model = model,
        });
        using var work = WorkFolder.Open(output, job);
        var (chunks, resumed) = work.Restored();
        var all = chunks.ToList();
        if (resumed < timeline.FrameCount)
            all.AddRange(RestoreFrames(clip, timeline.FrameCount, resumed, work.Path, pixelFormat, restore, window, progress, cancellation));
        progress?.Report(new VideoProgress(timeline.FrameCount, timeline.FrameCount, resumed, Encoding: true));
        IReadOnlyList<string> warnings = [];
        AtomicFile.Write(output, (string temporary) =>
            warnings = VideoEncoder.Encode(clip, timeline, all, work.Path, temporary, output, codec, save.Quality, pixelFormat, cancellation));
        work.Delete();
        return new VideoResult(timeline.FrameCount, resumed, warnings);
    }

    /// <summary>Restores frames <paramref name="first"/> onwards into new chunks, which it returns in order.</summary>
    private static List<string> RestoreFrames(VideoInfo clip, int frameCount, int first, string folder, string pixelFormat, FramesRestore restore,
                                              int window, IProgress<VideoProgress>? progress, CancellationToken cancellation)
    {
        var chunks = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var queue = new BlockingCollection<Mat>(boundedCapacity: 2);
        Exception? decodeError = null;
        var decoding = Task.Run(() =>
        {
            try
            {
                using var decoder = new FrameDecoder(clip);
                for (int index = 0; decoder.Next() is { } frame; index++)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    if (index < first) frame.Dispose();
                    else queue.Add(frame, stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { decodeError = e; }
            finally { queue.CompleteAdding(); }
        });

        ChunkWriter? chunk = null;
        int done = first;
        var frames = new List<Mat>();
        var restored = Array.Empty<Mat?>();
        // Writes the restored frames in front without a gap, in order, into chunks.
        void Keep()
        {
            foreach (var frame in restored.TakeWhile(f => f is not null))
            {
                chunk ??= new ChunkWriter(folder, done, clip, pixelFormat);
                using var bgr = frame!.Channels() == 1 ? frame.CvtColor(ColorConversionCodes.GRAY2BGR) : null;
                chunk.Write(bgr ?? frame);
                done++;
                if (chunk.Count == FramesPerChunk) Close(ref chunk, chunks);
            }
        }
        try
        {
            using var frameSource = queue.GetConsumingEnumerable(cancellation).GetEnumerator();
            while (true)
            {
                while (frames.Count < window && frameSource.MoveNext()) frames.Add(frameSource.Current);
                if (frames.Count == 0) break;
                restored = new Mat?[frames.Count];
                int start = done;
                restore(frames, restored, new ImmediateProgress<double>(f => progress?.Report(new VideoProgress(start + f, frameCount, first, false))), cancellation);
                Keep();
                Release(frames, restored);
                progress?.Report(new VideoProgress(done, frameCount, first, false));
            }
            decoding.Wait(CancellationToken.None);
            if (decodeError is not null) throw decodeError;
            if (done != frameCount)
                throw new InvalidDataException($"'{clip.Path}': FFmpeg decoded {done} frames where it counted {frameCount}; the file may be damaged (try remuxing it: ffmpeg -i in -c copy out.mkv).");
            Close(ref chunk, chunks);
            return chunks;
        }
        catch (OperationCanceledException)
        {
            Keep(); // the frames restored before the stop
            Close(ref chunk, chunks);
            throw;
        }
        finally
        {
            Release(frames, restored);
            chunk?.Dispose();
            stop.Cancel();
            decoding.Wait(CancellationToken.None);
            while (queue.TryTake(out var left)) left.Dispose();
        }
    }

    private static void Release(List<Mat> frames, Mat?[] restored)
    {
        foreach (var mat in frames.Concat(restored)) mat?.Dispose();
        frames.Clear();
        Array.Clear(restored);
    }

    /// <summary>Restores frames one at a time with <paramref name="restore"/> (the network in this process).</summary>
    public static FramesRestore OneByOne(Func<Mat, IProgress<double>, CancellationToken, Mat> restore) => (frames, restored, progress, cancellation) =>
    {
        for (int i = 0; i < frames.Count; i++)
        {
            int index = i;
            restored[i] = restore(frames[i], new ImmediateProgress<double>(f => progress.Report(index + f)), cancellation);
        }
    };

    private static void Close(ref ChunkWriter? chunk, List<string> chunks)
    {
        if (chunk is null) return;
        if (chunk.Finish() is { } path) chunks.Add(path);
        chunk.Dispose();
        chunk = null;
    }
}

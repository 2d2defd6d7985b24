using OpenCvSharp;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.Queue;

namespace Restormer.Video;

/// <summary>
/// Frames restored by <c>restormer worker</c>s through the work queue: each frame of a window goes as a lossless PNG
/// image job (8 or 16 bits), which a worker restores exactly as a local run restores an image, and comes back as a
/// PNG; the queue reclaims the job of a worker that dies and gives it to another, so nothing is lost, and the frames,
/// hence the clip, equal a local run's.
/// </summary>
public static class QueuedFrames
{
    /// <summary>
    /// A <see cref="FramesRestore"/> that submits each window's frames to <paramref name="queue"/> for
    /// <paramref name="model"/> (a task name or a weights path the workers can read), at most
    /// <paramref name="inFlight"/> at a time, staging the PNGs in <paramref name="staging"/>.
    /// </summary>
    public static FramesRestore Through(WorkQueue queue, string model, RestoreOptions options, int inFlight, string staging) =>
        (frames, restored, progress, cancellation) =>
        {
            var items = new List<(string Input, string Output)>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            string? failure = null;
            try
            {
                foreach (var (i, frame) in frames.Index())
                {
                    var input = Path.Combine(staging, $"frame-{i:D6}.png");
                    if (!Cv2.ImWrite(input, frame)) throw new IOException($"Cannot write the frame '{input}' for the queue (is the disk full?).");
                    items.Add((input, Path.Combine(staging, $"restored-{i:D6}.png")));
                    index[items[^1].Output] = i;
                }
                var save = new ImageSaveOptions { Format = ImageFormat.Png, KeepMetadata = false };
                new QueueBatch(queue, model, options, save, inFlight).Run(items, outcome =>
                {
                    int i = index[outcome.Output];
                    if (outcome.Error is not null) failure ??= $"frame {i + 1} of the window failed on {outcome.Worker ?? "the queue"}: {outcome.Error}";
                    else
                    {
                        restored[i] = Cv2.ImRead(outcome.Output, ImreadModes.Unchanged);
                        File.Delete(outcome.Output);
                    }
                }, done => progress.Report(done), cancellation);
            }
            finally
            {
                foreach (var (input, output) in items)
                {
                    File.Delete(input);
                    File.Delete(output);
                }
            }
            if (failure is not null) throw new IOException(failure);
        };
}

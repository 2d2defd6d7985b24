using System.Globalization;
using System.Text;

namespace Restormer.Video;

/// <summary>
/// Every frame's presentation time, in the video stream's time base and counted from the file's start (as FFmpeg
/// counts the copied audio), read from the decoded frames so that variable frame rates and edit lists come out as
/// the decoder gives them. Raw frames passed through pipes carry no time, so the encoder gets these back through
/// <see cref="SetptsFilter"/>.
/// </summary>
public sealed class Timeline
{
    /// <summary>Presentation times in decoding output order.</summary>
    public IReadOnlyList<long> Times { get; }

    public int FrameCount => Times.Count;

    private Timeline(IReadOnlyList<long> times) => Times = times;

    /// <summary>Decodes <paramref name="info"/>'s video stream with ffprobe and takes each frame's best-effort timestamp.</summary>
    public static Timeline Read(VideoInfo info, CancellationToken cancellation = default)
    {
        var csv = FFmpeg.Run("ffprobe", ["-v", "error", "-select_streams", info.StreamIndex.ToString(CultureInfo.InvariantCulture),
            "-show_entries", "frame=best_effort_timestamp", "-of", "csv=p=0", FFmpeg.FileUrl(info.Path)], $"Cannot read the frames of '{info.Path}'", cancellation);
        long start = (long)Math.Round(info.StartTime * info.TimeBase.Den / info.TimeBase.Num);
        // A frame without a timestamp follows the previous one by a nominal frame's duration.
        var rate = info.FrameRate.Split('/');
        long step = Math.Max(1, (long)Math.Round(info.TimeBase.Den * double.Parse(rate[1], CultureInfo.InvariantCulture)
                                                  / (info.TimeBase.Num * double.Parse(rate[0], CultureInfo.InvariantCulture))));
        var times = new List<long>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var field = line.Split(',')[0];
            times.Add(long.TryParse(field, out var t) ? t - start : times.Count > 0 ? times[^1] + step : 0);
        }
        if (times.Count == 0)
            throw new InvalidDataException($"'{info.Path}' has a video stream but FFmpeg decodes no frame from it: the file may be damaged.");
        return new Timeline(times);
    }

    /// <summary>A timeline of given times (tests, and work split into parts).</summary>
    public static Timeline Of(IReadOnlyList<long> times) => new(times);

    /// <summary>
    /// The filter that gives frame N its time: <c>settb</c> to the stream's time base, then <c>setpts</c> with a
    /// binary tree of runs of equal steps, so a constant-rate clip is one linear term and a variable one costs a
    /// comparison per level. Goes into a <c>-filter_script</c> file (long clips would pass the argument size limit).
    /// </summary>
    public string SetptsFilter((long Num, long Den) timeBase)
    {
        var runs = new List<(int First, long Time, long Step)>();
        for (int i = 0; i < Times.Count;)
        {
            long step = i + 1 < Times.Count ? Times[i + 1] - Times[i] : 0;
            int last = i + 1 < Times.Count ? i + 1 : i;
            while (last + 1 < Times.Count && Times[last + 1] - Times[last] == step) last++;
            runs.Add((i, Times[i], step));
            i = last + 1;
        }
        var text = new StringBuilder();
        void Tree(int low, int high)
        {
            if (low == high)
            {
                var (first, time, step) = runs[low];
                text.Append(CultureInfo.InvariantCulture, $"{time}+(N-{first})*{step}");
                return;
            }
            int middle = (low + high + 1) / 2;
            text.Append(CultureInfo.InvariantCulture, $"if(lt(N,{runs[middle].First}),");
            Tree(low, middle - 1);
            text.Append(',');
            Tree(middle, high);
            text.Append(')');
        }
        Tree(0, runs.Count - 1);
        return $"settb={timeBase.Num}/{timeBase.Den},setpts='{text}'";
    }
}

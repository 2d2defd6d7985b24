using System.Text.Json;
using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Inference;
using Restormer.Tests.Cli;
using Restormer.Video;

namespace Restormer.Tests.Video;

/// <summary>
/// <c>restore</c> on videos, with the real FFmpeg on clips made here: what the clip is stays (frames, times, sound,
/// subtitles, rotation, colour, bit depth, metadata), every frame is the single-image restore of the decoded frame,
/// an interrupted run resumes into the same file, and bad inputs get one clear line.
/// </summary>
public sealed class VideoRestoreTests : IDisposable
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
    private readonly string root = TestPaths.NewTempDir("restormer-video");

    public void Dispose() => TestPaths.TryDelete(root);

    private string At(string relative) => Path.Combine(root, relative);

    private static CliRunner.Result Restore(params string[] args) => CliRunner.Run(RestoreCommand.Create(), ["-w", TinyWeights, .. args]);

    /// <summary>A plain clip (no sound) of <paramref name="frames"/> 64×48 frames in <paramref name="pixelFormat"/>, encoded by <paramref name="codec"/>.</summary>
    private string Clip(string relative, int frames = 6, string codec = "libx264", string pixelFormat = "yuv420p", string size = "64x48")
    {
        var path = At(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        TestClips.Make("-f", "lavfi", "-i", $"testsrc2=size={size}:rate=10", "-frames:v", frames.ToString(), "-vf", "boxblur=2",
                       "-c:v", codec, "-pix_fmt", pixelFormat, path);
        return path;
    }

    /// <summary>Asserts each frame of <paramref name="output"/> is the restore of the same frame of <paramref name="input"/>, within <paramref name="minPsnr"/> dB (infinity: exactly).</summary>
    private static void FramesAreRestoredFrames(string input, string output, double minPsnr, RestoreOptions? options = null)
    {
        using var restorer = Restorer.Load(TinyWeights, options);
        var (source, result) = (TestClips.Frames(input), TestClips.Frames(output));
        try
        {
            Assert.Equal(source.Count, result.Count);
            foreach (var (frame, (original, restored)) in source.Zip(result).Index())
            {
                using var expected = restorer.Restore(original);
                double peak = expected.Depth() == MatType.CV_16U ? 65535 : 255;
                if (double.IsPositiveInfinity(minPsnr))
                    Assert.True(Cv2.Norm(expected, restored, NormTypes.INF) == 0, $"frame {frame} differs from its single-image restore");
                else
                {
                    // 4:2:0 keeps a quarter of the colour resolution, so the codec's tolerance is judged on brightness.
                    double psnr = LumaPsnr(expected, restored, peak), unrestored = LumaPsnr(original, restored, peak);
                    Assert.True(psnr >= minPsnr && psnr > unrestored, $"frame {frame}: {psnr:F1} dB from its single-image restore (min {minPsnr}), {unrestored:F1} dB from the input");
                }
            }
        }
        finally
        {
            foreach (var mat in source.Concat(result)) mat.Dispose();
        }
    }

    private static double LumaPsnr(Mat a, Mat b, double peak)
    {
        using var lumaA = a.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var lumaB = b.CvtColor(ColorConversionCodes.BGR2GRAY);
        return Cv2.PSNR(lumaA, lumaB, peak);
    }

    [SkippableFact]
    public void ClipKeepsItsTimesSoundSubtitlesRotationColourAndMetadataWithEveryFrameRestored()
    {
        TestClips.SkipIfMissing();
        var clip = TestClips.Shaky(root);
        var result = Restore(clip, "-o", At("sharp.mp4"));
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Contains("ok   " + clip, result.Out);
        var (input, output) = (VideoInfo.Probe(clip), VideoInfo.Probe(At("sharp.mp4")));
        var times = TestClips.FrameTimes(clip);
        Assert.Equal(20, times.Count);
        Assert.Equal(times, TestClips.FrameTimes(At("sharp.mp4"))); // every frame's time, the variable step included
        Assert.Equal(TestClips.StreamMd5(clip, "a"), TestClips.StreamMd5(At("sharp.mp4"), "a"));
        Assert.Equal(TestClips.StreamMd5(clip, "s"), TestClips.StreamMd5(At("sharp.mp4"), "s"));
        Assert.Equal(90, input.Rotation);
        Assert.Equal(input.Rotation, output.Rotation);
        Assert.Equal(("bt709", "bt709", "bt709", "tv"), (output.ColorPrimaries, output.ColorTransfer, output.ColorSpace, output.ColorRange));
        Assert.Equal((input.Width, input.Height, "yuv420p"), (output.Width, output.Height, output.PixelFormat));
        Assert.InRange(output.Duration, input.Duration - 0.1, input.Duration + 0.1);
        Assert.Equal("Shaky test", FFmpeg.Run("ffprobe", ["-v", "error", "-show_entries", "format_tags=title", "-of", "default=nw=1:nk=1", At("sharp.mp4")], "title").Trim());
        Assert.Equal(["shaky.mp4", "sharp.mp4"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order()); // no work folder or temporary left
        FramesAreRestoredFrames(clip, At("sharp.mp4"), minPsnr: 35);
    }

    [SkippableFact]
    public void LosslessFfv1KeepsEveryRestoredFrameExactly()
    {
        TestClips.SkipIfMissing();
        var clip = Clip("rgb.mkv", codec: "ffv1", pixelFormat: "gbrp");
        var result = Restore(clip, "-o", At("out.mkv"), "--codec", "ffv1");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Equal(VideoInfo.Probe(clip).PixelFormat, VideoInfo.Probe(At("out.mkv")).PixelFormat); // FFV1 keeps the clip's RGB format
        FramesAreRestoredFrames(clip, At("out.mkv"), minPsnr: double.PositiveInfinity);
    }

    [SkippableFact]
    public void ImageOptionsWorkForFrames()
    {
        TestClips.SkipIfMissing();
        var clip = Clip("rgb.mkv", frames: 3, codec: "ffv1", pixelFormat: "gbrp");
        var result = Restore(clip, "-o", At("tiled.mkv"), "--codec", "ffv1", "--tile", "32", "--tile-overlap", "8", "--self-ensemble", "2", "--runtime", "libtorch");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        FramesAreRestoredFrames(clip, At("tiled.mkv"), minPsnr: double.PositiveInfinity,
            new RestoreOptions { TileSize = 32, TileOverlap = 8, SelfEnsemble = 2, Runtime = InferenceRuntime.Libtorch });
    }

    [SkippableFact]
    public void ShardsSplitAFolderOfVideosByVideo()
    {
        TestClips.SkipIfMissing();
        foreach (var name in new[] { "a", "b", "c", "d" }) Clip($"in/{name}.mp4", frames: 2);
        var parts = new List<string>();
        foreach (var shard in new[] { "0/2", "1/2" })
        {
            var result = Restore(At("in"), "-o", At("out"), "--shard", shard, "--skip-existing");
            Assert.True(result.ExitCode == 0, result.Err + result.Out);
            parts.Add(string.Join(",", Directory.GetFiles(At("out")).Select(Path.GetFileName).Order()));
        }
        Assert.Equal("a.mp4,b.mp4,c.mp4,d.mp4", parts[1]); // both shards together: every clip once
        Assert.NotEqual("", parts[0]);
        Assert.NotEqual(parts[0], parts[1]); // the first shard restored some of them, the second the others
    }

    [SkippableFact]
    public void TenBitClipsStayTenBitInH264AndHevc()
    {
        TestClips.SkipIfMissing();
        var clip = Clip("deep.mp4", frames: 4, pixelFormat: "yuv420p10le");
        var result = Restore(clip, "-o", At("deep_sharp.mp4"));
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Equal("yuv420p10le", VideoInfo.Probe(At("deep_sharp.mp4")).PixelFormat);
        FramesAreRestoredFrames(clip, At("deep_sharp.mp4"), minPsnr: 35);
        result = Restore(clip, "-o", At("deep.mkv"), "--codec", "hevc");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        var hevc = VideoInfo.Probe(At("deep.mkv"));
        Assert.Equal("yuv420p10le", hevc.PixelFormat);
        Assert.Equal("hevc", FFmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", At("deep.mkv")], "codec").Trim());
    }

    [SkippableTheory]
    [InlineData("out.webm", null, "vp9")] // WebM's default
    [InlineData("out.mkv", "av1", "av1")]
    [InlineData("out.mp4", "hevc", "hevc")]
    public void CodecsAndContainers(string name, string? codec, string expected)
    {
        TestClips.SkipIfMissing();
        var clip = Clip("in.mp4", frames: 3, size: "64x64"); // SVT-AV1's smallest frame
        var result = Restore([clip, "-o", At(name), .. codec is null ? Array.Empty<string>() : ["--codec", codec]]);
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Equal(expected, FFmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", At(name)], "codec").Trim());
        Assert.Equal(3, TestClips.FrameTimes(At(name)).Count);
    }

    [SkippableFact]
    public void AnInterruptedRunKeepsItsFramesAndResumesIntoTheSameFile()
    {
        TestClips.SkipIfMissing();
        var clip = TestClips.Shaky(root, frames: 40);
        using var restorer = Restorer.Load(TinyWeights);
        using var stop = new CancellationTokenSource();
        var progress = new ImmediateProgress<VideoProgress>(p => { if (p.Frames >= 21) stop.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => restorer.RestoreVideo(clip, At("resumed.mp4"), progress: progress, cancellation: stop.Token));
        Assert.False(File.Exists(At("resumed.mp4")));
        Assert.True(Directory.Exists(WorkFolder.PathFor(At("resumed.mp4"))));

        var resumed = restorer.RestoreVideo(clip, At("resumed.mp4"));
        Assert.Equal(40, resumed.Frames);
        Assert.InRange(resumed.Resumed, 21, 22); // a whole chunk and the frames after it, up to the stop
        Assert.False(Directory.Exists(WorkFolder.PathFor(At("resumed.mp4"))));
        var whole = restorer.RestoreVideo(clip, At("whole.mp4"));
        Assert.Equal(0, whole.Resumed);
        Assert.Equal(File.ReadAllBytes(At("whole.mp4")), File.ReadAllBytes(At("resumed.mp4")));
    }

    [SkippableFact]
    public void FoldersMixPhotosAndVideosWithOneJsonRecordEach()
    {
        TestClips.SkipIfMissing();
        Directory.CreateDirectory(At("in"));
        using (var photo = new Mat(16, 24, MatType.CV_8UC3, Scalar.All(0)))
        {
            Cv2.Randu(photo, Scalar.All(0), Scalar.All(255));
            Cv2.ImWrite(At("in/photo.png"), photo);
        }
        Clip("in/sub/clip.mov", frames: 3);
        var result = Restore(At("in"), "-o", At("out"), "--recursive", "--json");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        var records = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        var video = Assert.Single(records, r => r.GetProperty("input").GetString()!.EndsWith("clip.mov"));
        Assert.Equal(("ok", 3), (video.GetProperty("status").GetString(), video.GetProperty("frames").GetInt32()));
        Assert.True(File.Exists(At("out/photo.png")));
        Assert.Equal(3, TestClips.FrameTimes(At("out/sub/clip.mov")).Count);
    }

    [SkippableFact]
    public void BadVideosAndImpossibleOutputsGetOneClearLine()
    {
        TestClips.SkipIfMissing();
        Clip("in/good.mp4", frames: 2);
        File.WriteAllBytes(At("in/broken.mp4"), [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', 1, 2, 3]);
        var result = Restore(At("in"), "-o", At("out"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Out.Split('\n'), l => l.StartsWith("FAIL ") && l.Contains("broken.mp4") && l.Contains("not a video FFmpeg can read"));
        Assert.Contains(result.Out.Split('\n'), l => l.StartsWith("ok   ") && l.Contains("good.mp4"));
        Assert.Equal(["good.mp4"], Directory.GetFileSystemEntries(At("out")).Select(Path.GetFileName)); // nothing half-written

        result = Restore(At("in/good.mp4"), "-o", At("out/good.mp4"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--overwrite", result.Err);
        result = Restore(At("in/good.mp4"), "-o", At("web.webm"), "--codec", "h264");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot hold h264", result.Err);
        result = Restore(At("in/good.mp4"), "-o", At("small.mkv"), "--codec", "av1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at least 64×64, and this clip's are 64×48: use --codec", result.Out);
        result = Restore(At("in/good.mp4"), "-o", At("still.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is a video", result.Err);
        Assert.DoesNotContain("   at ", result.Err + result.Out); // no stack trace
        Assert.False(File.Exists(At("web.webm")) || File.Exists(At("still.png")) || File.Exists(At("small.mkv")));
    }
}

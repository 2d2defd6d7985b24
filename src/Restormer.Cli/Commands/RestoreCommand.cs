using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Restormer.Downloads;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.IO;
using Restormer.Queue;
using Restormer.Video;

namespace Restormer.Cli.Commands;

/// <summary><c>restore</c> (alias <c>demo</c>, the reference's script name): restores files, patterns, folders or standard input.</summary>
public static class RestoreCommand
{
    /// <summary>The exit codes, as <c>--help</c> and the README state them.</summary>
    public const string ExitCodes = "Exit codes: 0 every image restored (or skipped), 1 some images failed, 2 usage or set-up error (nothing restored), 130 interrupted (143 by SIGTERM), 70 an unexpected error (a bug: please report it).";

    /// <summary>What a run was asked for, as parsed from the command line; <see cref="ScaleOut"/> shares it with other machines.</summary>
    internal sealed record Request(
        RestorationTask Task, IReadOnlyList<string> Inputs, string Output, string? Weights, RestoreOptions Options,
        ImageFormat? Format, int Quality, bool Recursive, ExistingOutputs Existing, bool Quiet, bool Json, ScaleOut? ScaleOut = null,
        bool KeepMetadata = true, VideoCodec? Codec = null);

    /// <summary>One line of <c>--json</c> output.</summary>
    internal sealed record ImageRecord(string Input, string Output, string Status, double? Seconds = null, string? Error = null, string? Note = null, int? Frames = null);

    public static Command Create()
    {
        var task = new Option<string>("--task", "-t") { Description = $"What to restore: {string.Join(", ", RestorationTask.All.Select(t => t.Name))} (reference spellings like Motion_Deblurring work too).", DefaultValueFactory = _ => RestorationTask.MotionDeblurring.Name };
        var files = new Argument<string[]>("inputs") { Description = $"Image or video files ({VideoContainers.Names} and whatever else FFmpeg reads), folders or patterns such as 'photos/*.jpg' (quoted or not); - reads one image from standard input.", Arity = ArgumentArity.ZeroOrMore };
        // A mistyped option would otherwise be taken for an input name.
        files.Validators.Add(r =>
        {
            foreach (var token in r.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-') && v != "-" && !Path.Exists(v)))
                r.AddError($"Unrecognized option '{token}'.");
        });
        var input = new Option<string[]>("--input", "-i", "--input_dir", "--input-dir") { Description = "An input, as the arguments (may be repeated)." };
        var output = new Option<string>("--output", "-o", "--result_dir", "--result-dir", "--output-dir") { Description = "A file (single input file, name ending in .png/.jpg/.webp/.tif, or .mp4/.mov/.mkv/.webm/.avi for a video, which picks the format), - for standard output, or a folder (created if missing; sub-folders mirror --recursive inputs).", DefaultValueFactory = _ => "results" };
        var format = new Option<string?>("--format", "-f") { Description = $"Output format: {ImageFormats.Names} (default: the output file's extension, else png)." };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg", "webp", "tif", "tiff");
        var quality = new Option<int>("--quality") { Description = "JPEG/WebP quality, 1-100; for videos mapped to the codec's constant quality (95: x264 CRF 14, visually lossless).", DefaultValueFactory = _ => 95 }.Within(1, 100);
        var codec = new Option<string?>("--codec") { Description = $"Video codec: {VideoCodecs.Names} (lossless). Default: h264 in yuv420p (10 bits for 10-bit clips), vp9 for .webm." };
        codec.AcceptOnlyFromAmong("h264", "hevc", "av1", "vp9", "ffv1");
        var stripMetadata = new Option<bool>("--strip-metadata") { Description = "Write no EXIF or XMP (camera, date, GPS position...), e.g. before sharing; the colour profile is kept so colours do not change." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also restore the images in sub-folders of input folders, mirroring the tree in the output folder." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace outputs that exist already (default: stop before any work, naming them)." };
        var skipExisting = new Option<bool>("--skip-existing") { Description = "Keep outputs that exist already and restore only the others." };
        var quiet = new Option<bool>("--quiet") { Description = "Print nothing but errors." };
        var json = new Option<bool>("--json") { Description = "One JSON record per image or video on standard output ({\"input\", \"output\", \"status\": ok|failed|skipped, \"seconds\", \"error\", and \"frames\" for a video}); other messages go to standard error." };
        var weights = new Option<string?>("--weights", "-w") { Description = "A checkpoint (.pth or .safetensors); its architecture is read from the file. Default: the task's file in the models folder." };
        var shard = new Option<string?>("--shard") { Description = "Restore only part K of N (K/N, 0 <= K < N) of the inputs, split by a hash of their paths below the input folder: the same on every machine and rerun (batch schedulers)." };
        var common = new InferenceOptions();
        var queue = new QueueOptions();
        var command = new Command("restore", "Restore photos and videos with a Restormer model, keeping photos' EXIF, XMP and colour profile and videos' sound, timing and colour (see docs/video.md). " + ExitCodes)
        {
            files, task, input, output, format, quality, codec, stripMetadata, recursive, overwrite, skipExisting, quiet, json, weights, shard,
        };
        command.Aliases.Add("demo");
        common.AddTo(command);
        queue.AddTo(command, QueueOptions.Role.Submitter);
        command.Validators.Add(r =>
        {
            if (r.GetValue(overwrite) && r.GetValue(skipExisting)) r.AddError("--overwrite and --skip-existing contradict each other: give one.");
            if (r.GetValue(quiet) && r.GetValue(json)) r.AddError("--quiet and --json contradict each other: give one.");
        });
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli => Run(cli, new Request(
            RestorationTask.Parse(parse.GetValue(task)!),
            [.. parse.GetValue(files) ?? [], .. parse.GetValue(input) ?? []],
            parse.GetValue(output)!, parse.GetValue(weights), common.Read(parse),
            parse.GetValue(format) is { } name ? ImageFormats.Parse(name) : null, parse.GetValue(quality), parse.GetValue(recursive),
            parse.GetValue(overwrite) ? ExistingOutputs.Overwrite : parse.GetValue(skipExisting) ? ExistingOutputs.Skip : ExistingOutputs.Refuse,
            parse.GetValue(quiet), parse.GetValue(json),
            new ScaleOut(parse.GetValue(shard) is { } part ? Shard.Parse(part) : null, queue.Address(parse), queue.Read(parse), queue.InFlight(parse)),
            KeepMetadata: !parse.GetValue(stripMetadata), Codec: parse.GetValue(codec) is { } video ? VideoCodecs.Parse(video) : null), cancellation))));
        return command;
    }

    internal static int Run(Cli cli, Request request, CancellationToken cancellation)
    {
        if (request.Inputs.Count == 0)
            throw new ArgumentException("No input given: name image files, folders or patterns (or - for standard input), e.g. 'restormer restore photos/ -o restored/'.");
        bool toStdout = request.Output == OutputPlan.StandardStream;
        if (toStdout && request.Json)
            throw new ArgumentException("--json and '-o -' both want standard output: write the image to a file or folder, or leave out --json.");
        if (toStdout && request.ScaleOut?.Queue is not null)
            throw new ArgumentException("--queue writes the workers' results to files: give an output file or folder instead of '-o -'.");
        cli.InfoTo = request.Quiet ? InfoTarget.Nowhere : request.Json || toStdout ? InfoTarget.Error : InfoTarget.Output;

        using var staging = request.Inputs.Contains(OutputPlan.StandardStream) || toStdout ? new StagingFolder() : null;
        var inputs = request.Inputs.Contains(OutputPlan.StandardStream)
            ? [StandardInput(request.Inputs, staging!, request.Options.MaxPixels ?? ImageLimits.MaxPixels, cancellation)]
            : InputFiles.Expand(request.Inputs, request.Recursive, excludeFolder: toStdout ? null : request.Output);
        bool singleFile = request.Inputs.Count == 1 && (request.Inputs[0] == OutputPlan.StandardStream || File.Exists(request.Inputs[0]));
        var plan = OutputPlan.Create(inputs, request.Output, singleFile, request.Format, request.Existing, request.ScaleOut is { } scaleOut ? scaleOut.Holds : null);
        var save = new ImageSaveOptions { Format = plan.Format, Quality = request.Quality, KeepMetadata = request.KeepMetadata };
        var items = plan.Items;
        if (request.ScaleOut?.Shard is { } shard) cli.Info($"Shard {shard}: {items.Count} of {inputs.Count} input(s).");
        var where = toStdout ? "standard output" : plan.Folder!;
        var videoSave = new VideoSaveOptions { Codec = request.Codec, Quality = request.Quality };
        bool anyVideo = CheckVideos(request, items, videoSave, toStdout);
        if (request.ScaleOut?.Queue is not null)
            return QueuedRestore.Run(cli, request, items, save, videoSave, where, cancellation);

        var loading = Stopwatch.StartNew();
        using var restorer = Restorer.Load(request.Task, request.Weights, request.Options);
        cli.Info(restorer.UsesDefaultModel
            ? $"The published {request.Task.WeightsFileName} is not installed, so the small model this project ships is used meanwhile ({restorer.WeightsPath}): " +
              $"clearly sharper, far from the paper. For the paper's weights run: {ModelStore.Default.FetchCommand(request.Task)}"
            : $"Model: {restorer.WeightsPath} (dim {restorer.Config.Dim}, blocks [{string.Join(",", restorer.Config.NumBlocks)}], {restorer.Config.LayerNormType} LayerNorm, {restorer.Precision.Name()} on the {restorer.RuntimeName}; loaded in {loading.Elapsed.TotalSeconds:F1} s).");
        if (restorer.Precision == Precision.Bf16 && PrecisionExtensions.SlowBFloat16Reason() is { } slow)
            cli.Warn(slow + ".");
        if (request.Weights is null && WeightsDigest.Recorded(restorer.WeightsPath) is not null && WeightsDigest.Check(restorer.WeightsPath) is { State: DigestState.Changed } digest)
            cli.Warn($"{restorer.WeightsPath} has changed since it was downloaded (SHA-256 {digest.Actual}, recorded {digest.Recorded}); " +
                     $"if that was not on purpose, download it again: {ModelStore.Default.FetchCommand(request.Task)} --force");

        var failures = new List<string>();
        int skipped = 0;
        var total = Stopwatch.StartNew();
        ProgressDisplay.Run(cli, "restoring", items.Count, display =>
        {
            foreach (var (index, item) in items.Index())
            {
                cancellation.ThrowIfCancellationRequested();
                var name = item.Input.Name;
                if (item.Skip)
                {
                    skipped++;
                    Skipped(cli, request, display, item);
                    continue;
                }
                display.Description = $"[{index + 1}/{items.Count}] {Path.GetFileName(item.Input.Path)}";
                var watch = Stopwatch.StartNew();
                string? failure = null, note = null;
                VideoResult? video = null;
                try
                {
                    var target = toStdout ? staging!.PathFor("stdout" + plan.Format.Extension()) : item.Output;
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
                    if (VideoContainers.IsVideo(item.Input.Path))
                        video = RestoreVideo(item, display, index, items.Count, progress => restorer.RestoreVideo(item.Input.Path, item.Output, videoSave, progress, cancellation));
                    else
                    {
                        restorer.Restore(item.Input.Path, target, save, new Progress<double>(f => display.Value = index + f), cancellation);
                        if (toStdout) CopyToStandardOutput(target);
                        if (ImagePages.Count(item.Input.Path) is > 1 and var pages)
                            note = $"it holds {pages} pages or frames; only the first was restored (split it into single images to restore the others)";
                    }
                }
                catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidDataException or OpenCvSharp.OpenCVException)
                {
                    // Standard input was read from a staging file whose path means nothing to the user.
                    failure = item.Input.Label is null ? e.Message : e.Message.Replace(item.Input.Path, "standard input");
                }
                // One record per input, outside the try: a record that cannot be written (standard output on a full
                // disk) ends the run with that error instead of reporting the same input a second time as failed.
                if (failure is not null)
                    Failed(cli, request, display, failures, name, item.Output, failure);
                else if (video is not null)
                    VideoDone(cli, request, display, item, video, watch.Elapsed);
                else
                {
                    display.Line($"ok   {name} -> {item.Output} ({watch.Elapsed.TotalSeconds:F1} s)" + (note is null ? "" : $"; note: {note}"));
                    Record(cli, request, new ImageRecord(name, item.Output, "ok", Math.Round(watch.Elapsed.TotalSeconds, 3), Note: note));
                }
                display.Value = index + 1;
            }
        });
        cli.Info(Summary(items.Count, skipped, failures, total.Elapsed, where, anyVideo ? "file(s)" : "image(s)"));
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Checks, before any work, what videos among <paramref name="items"/> need: FFmpeg, an output file in a container
    /// that holds the codec, no standard output; and that no image is to become a video. Returns
    /// whether there is a video.
    /// </summary>
    private static bool CheckVideos(Request request, IReadOnlyList<OutputPlan.Item> items, VideoSaveOptions save, bool toStdout)
    {
        foreach (var item in items.Where(i => !VideoContainers.IsVideo(i.Input.Path) && VideoContainers.IsOutput(i.Output)))
            throw new ArgumentException($"'{item.Input.Name}' is an image, and '{item.Output}' names a video: give an image output ({ImageFormats.Names}).");
        var videos = items.Where(i => VideoContainers.IsVideo(i.Input.Path)).ToList();
        if (videos.Count == 0)
        {
            if (request.Codec is not null) throw new ArgumentException("--codec is for videos, and there is none among the inputs.");
            return false;
        }
        if (toStdout) throw new ArgumentException("Videos are written to files: give an output file (e.g. -o clip_sharp.mp4) or a folder instead of '-o -'.");
        FFmpeg.Find("ffmpeg");
        FFmpeg.Find("ffprobe");
        foreach (var item in videos.Where(i => !i.Skip))
        {
            if (!VideoContainers.IsOutput(item.Output))
                throw new ArgumentException($"'{item.Input.Name}' is a video, and '{item.Output}' is no video file: name the output .mp4, .mov, .mkv, .webm or .avi.");
            save.Validate(item.Output);
        }
        return true;
    }

    /// <summary>
    /// Restores one clip with <paramref name="run"/>, moving the bar over its frames (frames, fps, time left) and
    /// saying where the frames wait when stopped.
    /// </summary>
    internal static VideoResult RestoreVideo(OutputPlan.Item item, ProgressDisplay display, int index, int count, Func<IProgress<VideoProgress>, VideoResult> run)
    {
        var watch = Stopwatch.StartNew();
        var gate = new Lock();
        var lastLine = TimeSpan.Zero;
        int done = 0, frameCount = 0;
        var file = Path.GetFileName(item.Input.Path);
        var progress = new ImmediateProgress<VideoProgress>(p =>
        {
            lock (gate)
            {
                (done, frameCount) = ((int)p.Frames, p.FrameCount);
                display.Value = index + p.Frames / p.FrameCount;
                double fps = (p.Frames - p.Resumed) / Math.Max(watch.Elapsed.TotalSeconds, 1e-3);
                display.Description = p.Encoding ? $"[{index + 1}/{count}] {file}: encoding" : $"[{index + 1}/{count}] {file}: frame {done}/{p.FrameCount}, {fps:F2} fps";
                if (display.Live || p.Encoding || watch.Elapsed - lastLine < TimeSpan.FromSeconds(30)) return;
                lastLine = watch.Elapsed;
                var left = fps > 0 ? TimeSpan.FromSeconds((p.FrameCount - p.Frames) / fps) : TimeSpan.Zero;
                display.Line($"     {item.Input.Name}: frame {done}/{p.FrameCount}, {fps:F2} fps, about {Math.Ceiling(left.TotalMinutes):F0} min left");
            }
        });
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(item.Output))!);
            return run(progress);
        }
        catch (OperationCanceledException)
        {
            if (frameCount > 0)
                display.Line($"stop {item.Input.Name}: {done} of {frameCount} frames restored, kept in '{WorkFolder.PathFor(item.Output)}'; run the same command again to go on from there.");
            throw;
        }
    }

    /// <summary>Reports a restored clip: its line, what could not be kept, and its <c>--json</c> record.</summary>
    internal static void VideoDone(Cli cli, Request request, ProgressDisplay display, OutputPlan.Item item, VideoResult video, TimeSpan elapsed)
    {
        var resumed = video.Resumed > 0 ? $", {video.Resumed} of them restored by an earlier run" : "";
        display.Line($"ok   {item.Input.Name} -> {item.Output} ({video.Frames} frames{resumed}, {elapsed.TotalSeconds:F1} s)");
        foreach (var warning in video.Warnings) display.Line($"note {item.Input.Name}: {warning}");
        Record(cli, request, new ImageRecord(item.Input.Name, item.Output, "ok", Math.Round(elapsed.TotalSeconds, 3), Frames: video.Frames));
    }

    internal static void Record(Cli cli, Request request, ImageRecord record)
    {
        if (!request.Json) return;
        try
        {
            cli.Out.WriteLine(JsonSerializer.Serialize(record, JsonStyle.Line));
            cli.Out.Flush();
        }
        catch (IOException e)
        {
            throw new IOException($"cannot write the --json records to standard output ({e.Message.TrimEnd('.')}); '{record.Output}' was {record.Status}.", e);
        }
    }

    /// <summary>Reports an input that failed (its line and <c>--json</c> record) and adds it to <paramref name="failures"/>; the run goes on.</summary>
    internal static void Failed(Cli cli, Request request, ProgressDisplay display, List<string> failures, string name, string output, string error)
    {
        failures.Add(name);
        display.Line($"FAIL {name}: {error} (skipped)");
        Record(cli, request, new ImageRecord(name, output, "failed", Error: error));
    }

    /// <summary>Reports an item left out because its output exists (<c>--skip-existing</c>).</summary>
    internal static void Skipped(Cli cli, Request request, ProgressDisplay display, OutputPlan.Item item)
    {
        display.Line($"skip {item.Input.Name}: '{item.Output}' exists (--skip-existing)");
        Record(cli, request, new ImageRecord(item.Input.Name, item.Output, "skipped"));
    }

    /// <summary>The closing line of a run of <paramref name="count"/> images into <paramref name="where"/>.</summary>
    internal static string Summary(int count, int skipped, IReadOnlyList<string> failures, TimeSpan elapsed, string where, string noun = "image(s)") => Cli.OneLine(
        $"{count - failures.Count - skipped} of {count} {noun} restored in {elapsed.TotalSeconds:F1} s into {where}" +
        (skipped > 0 ? $"; {skipped} skipped (output exists)" : "") +
        (failures.Count > 0 ? $"; {failures.Count} failed: {string.Join(", ", failures)}" : "."));

    /// <summary>
    /// Standard input, saved to a file first: decoders need the whole image, and every input goes through one reading
    /// path. It is read up to the largest file the pixel limit allows (<see cref="ImageLimits.MaxFileBytes"/>), a
    /// chunk at a time, so endless input stops there and Ctrl-C or SIGTERM stops it at once, even while a read waits;
    /// the staging folder goes with the error.
    /// </summary>
    private static InputFile StandardInput(IReadOnlyList<string> specs, StagingFolder staging, long maxPixels, CancellationToken cancellation)
    {
        if (specs.Count != 1)
            throw new ArgumentException("'-' (standard input) must be the only input: restore files and folders in another run.");
        if (!Console.IsInputRedirected)
            throw new ArgumentException("'-' reads an image from standard input, but nothing is piped in: e.g. 'restormer restore - -o out.png < photo.jpg'.");
        var path = staging.PathFor("stdin");
        long limit = ImageLimits.MaxFileBytes(maxPixels), total = 0;
        var buffer = new byte[1 << 20];
        using (var file = File.Create(path))
        using (var input = Console.OpenStandardInput())
            for (int read; (read = ReadWaiting(input, buffer, cancellation)) > 0; total += read)
            {
                if (total + read > limit)
                    throw new ArgumentException($"standard input holds more than {limit / 1e6:N0} MB, more than any image within the pixel limit of " +
                        $"{ImageLimits.Megapixels(maxPixels)} needs (raise --max-pixels or {ImageLimits.EnvironmentVariable} for a larger image); nothing was restored.");
                file.Write(buffer, 0, read);
            }
        return new InputFile(path, "stdin") { Label = OutputPlan.StandardStream };
    }

    /// <summary>One read; a read still waiting for data when <paramref name="cancellation"/> fires is left behind (the process is ending).</summary>
    private static int ReadWaiting(Stream input, byte[] buffer, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        return input.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None).WaitAsync(cancellation).GetAwaiter().GetResult();
    }

    private static void CopyToStandardOutput(string path)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var file = File.OpenRead(path))
            file.CopyTo(stdout);
        stdout.Flush();
    }
}

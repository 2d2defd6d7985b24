using OpenCvSharp;
using TorchSharp;
using Restormer.Imaging;
using Restormer.Model;
using Restormer.Video;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Restores photographs with one Restormer checkpoint: the library's entry point.
/// <code>
/// using var restorer = Restorer.Load("motion_deblurring");
/// restorer.Restore("blurry.jpg", "sharp.png");
/// </code>
/// </summary>
/// <remarks>
/// <para>Thread safety: one instance may be shared by any number of threads. Calls run one at a time (each holds the
/// model for a whole image, the network already uses every core), so concurrent callers wait their turn. Load a second
/// instance only to run two different checkpoints.</para>
/// <para>Long work: every <c>Restore</c> overload takes an <see cref="IProgress{T}"/> that receives the fraction done
/// in [0, 1] as the network works through the image, weighted by each part's multiply–accumulates (after every row
/// band of the CPU engine, every Transformer block of the module's forward), never going back, at least 0.1 % apart and
/// ending at 1; it is called on the worker threads, so keep it short. The <see cref="CancellationToken"/> is checked
/// between bands of rows (between Transformer blocks on the module's forward, used without AVX-512), so a cancelled
/// call ends within a fraction of a second on the CPU engine with an <see cref="OperationCanceledException"/>, having
/// written nothing. For a UI thread, call it through <c>Task.Run</c>.</para>
/// <para>Memory: the weights and every intermediate tensor live in native (libtorch) memory that the garbage collector
/// does not see. <see cref="Dispose"/> frees the weights (it waits for a running call to finish); use the instance
/// in a <c>using</c> and keep it for many images rather than loading the checkpoint again for each.</para>
/// <para>Platform: the first network loaded in a process checks libtorch's convolutions on this machine against float64
/// and switches oneDNN off where they are wrong (some cloud VMs hide the CPU's cache sizes);
/// <see cref="Platform.LibTorchGuard.Status"/> says what it found and did.</para>
/// </remarks>
public sealed class Restorer : IDisposable
{
    private readonly RestormerNet model;
    private readonly TiledRestorer tiled;
    private readonly Device device;
    private readonly object gate = new();
    private bool disposed;

    /// <summary>The checkpoint in use.</summary>
    public string WeightsPath { get; }
    /// <summary>The task the weights were chosen for, when loaded by task name.</summary>
    public RestorationTask? Task { get; }
    /// <summary>The architecture read from the checkpoint.</summary>
    public RestormerConfig Config => model.Config;
    /// <summary>True when the task's published weights were absent and our shipped compact model was used.</summary>
    public bool UsesDefaultModel => Task is not null && DefaultModels.For(Task) == Path.GetFileName(WeightsPath);

    private Restorer(RestormerNet model, string weightsPath, RestorationTask? task, RestoreOptions options)
    {
        this.model = model;
        WeightsPath = weightsPath;
        Task = task;
        device = ParseDevice(options.Device);
        if (options.Threads is int threads) set_num_threads(threads);
        model.to(device);
        model.eval();
        tiled = new TiledRestorer(model, options);
    }

    /// <summary>
    /// Loads by task name (<c>motion_deblurring</c>, <c>Real_Denoising</c>, …; weights from <see cref="ModelStore.Default"/>)
    /// or by a checkpoint path (.pth or .safetensors; the architecture is read from the file).
    /// </summary>
    /// <exception cref="FileNotFoundException">A task's weights are not in the models folder (the message says which file to put where).</exception>
    /// <exception cref="Checkpoints.CheckpointException">The file is not a readable Restormer checkpoint.</exception>
    /// <exception cref="NotSupportedException">A dual-pixel checkpoint, or a CUDA device without a CUDA runtime.</exception>
    public static Restorer Load(string taskOrWeightsPath, RestoreOptions? options = null)
    {
        var task = RestorationTask.Find(taskOrWeightsPath);
        return task is not null && !File.Exists(taskOrWeightsPath)
            ? Load(task, weightsPath: null, options)
            : Load(task: null, taskOrWeightsPath, options);
    }

    /// <summary>
    /// Loads <paramref name="weightsPath"/>, or <paramref name="task"/>'s weights from <see cref="ModelStore.Default"/>
    /// when it is null (use <see cref="ModelStore.Resolve"/> for another folder). The task, when given, is only recorded.
    /// </summary>
    public static Restorer Load(RestorationTask? task, string? weightsPath, RestoreOptions? options = null)
    {
        if (task is null && weightsPath is null)
            throw new ArgumentException("Give a task or a weights file.");
        (options ??= new RestoreOptions()).Validate();
        var path = weightsPath ?? ModelStore.Default.Resolve(task!);
        var model = RestormerNet.FromCheckpoint(path);
        try
        {
            if (model.Config.DualPixelTask)
                throw new NotSupportedException($"'{path}' is a dual-pixel model (6 input channels: left and right views); restore takes single images. Use a single-image checkpoint.");
            return new Restorer(model, path, task, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Reads images the way this model wants them (grayscale for one-channel models). Dispose the result.</summary>
    public ImageFile ReadImage(string path) => ImageFile.Read(path, grayscale: Config.InpChannels == 1, tiled.Options.MaxPixels);

    /// <summary>Restores a decoded image into a new one (dispose it); bit depth, alpha and metadata are kept.</summary>
    public ImageFile Restore(ImageFile image, IProgress<double>? progress = null, CancellationToken cancellation = default) =>
        new(Restore(image.Colour, progress, cancellation), image.AlphaRaster) { Metadata = image.Metadata };

    /// <summary>
    /// Restores an 8- or 16-bit BGR (or gray) Mat, as <c>Cv2.ImRead</c> gives it; returns a new Mat (dispose it) of the
    /// same size and depth with the model's channel count, except that a gray image stays gray in the input's layout
    /// (see the raster overload).
    /// </summary>
    public Mat Restore(Mat pixels, IProgress<double>? progress = null, CancellationToken cancellation = default) =>
        Restore(ImageRaster.FromMat(pixels), progress, cancellation).ToMat();

    /// <summary>
    /// Restores RGB or gray pixels into new ones of the same size and depth with the model's channel count, except that
    /// a gray image (one channel, or three equal ones) stays gray in the input's layout: a colour model's three outputs
    /// differ slightly, which would tint a black-and-white photo, so they are taken to their luma.
    /// </summary>
    internal ImageRaster Restore(ImageRaster pixels, IProgress<double>? progress, CancellationToken cancellation)
    {
        bool gray = pixels.IsGray;
        using var input = ImageTensor.ToTensor(ToChannels(pixels, Config.InpChannels));
        using var output = Restore(input, progress, cancellation);
        var restored = ImageTensor.ToRaster(output, pixels.BitDepth);
        return gray && restored.Bands == 3 ? ToChannels(restored.Luma(), pixels.Bands) : restored;
    }

    /// <summary>Restores an H×W×C float image in [0,1] (RGB, or one channel), returning the same layout.</summary>
    public float[,,] Restore(float[,,] image, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        int height = image.GetLength(0), width = image.GetLength(1), channels = image.GetLength(2);
        if (channels != Config.InpChannels)
            throw new ArgumentException($"The model takes {Config.InpChannels}-channel images; this one has {channels}.");
        var flat = new float[image.Length];
        Buffer.BlockCopy(image, 0, flat, 0, flat.Length * sizeof(float));
        using var input = tensor(flat, [height, width, channels]).permute(2, 0, 1).unsqueeze(0).contiguous();
        using var output = Restore(input, progress, cancellation);
        using var hwc = output[0].permute(1, 2, 0).contiguous().cpu();
        var result = new float[height, width, (int)output.shape[1]];
        var values = hwc.data<float>().ToArray();
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    /// <summary>Restores a 1×C×H×W float tensor in [0,1] (RGB order); the result is a new CPU tensor (dispose it).</summary>
    public Tensor Restore(Tensor image, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using var onDevice = image.to(device);
            using var restored = SelfEnsemble.Average(onDevice, tiled.Options.SelfEnsemble,
                (copy, share) => tiled.Restore(copy, share, cancellation), progress, cancellation);
            return restored.cpu().alias();
        }
    }

    /// <summary>
    /// Restores the file at <paramref name="inputPath"/> (PNG, JPEG, TIFF, BMP, WebP; 8 or 16 bits; EXIF orientation
    /// applied; alpha, EXIF, XMP and ICC profile kept) into <paramref name="outputPath"/>, written atomically in the
    /// format its extension names (PNG for any other name). Refuses to overwrite the input.
    /// </summary>
    /// <exception cref="Imaging.ImageReadException">The input cannot be decoded; the message names the file.</exception>
    public void Restore(string inputPath, string outputPath, IProgress<double>? progress = null, CancellationToken cancellation = default) =>
        Restore(inputPath, outputPath, ImageSaveOptions.For(outputPath), progress, cancellation);

    /// <summary>As <see cref="Restore(string, string, IProgress{double}?, CancellationToken)"/>, in the format, quality and metadata choice of <paramref name="save"/>.</summary>
    public void Restore(string inputPath, string outputPath, ImageSaveOptions save, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
            throw new IOException($"Refusing to overwrite the input '{inputPath}': choose another output path.");
        using var image = ReadImage(inputPath);
        using var restored = Restore(image, progress, cancellation);
        restored.Write(outputPath, save);
    }

    /// <summary>
    /// Restores the video <paramref name="inputPath"/> (anything FFmpeg reads) into <paramref name="outputPath"/>,
    /// whose extension picks the container (mp4, mov, mkv, webm, avi): every frame as <see cref="Restore(Mat, IProgress{double}?, CancellationToken)"/>
    /// restores it, with the clip's frame times, audio and subtitles (copied), rotation, colour description and
    /// metadata kept (see <see cref="VideoRestoration"/>). Needs FFmpeg installed.
    /// </summary>
    /// <remarks>
    /// Long work: <paramref name="progress"/> gets the frames done (fractions within a frame) on the network's threads.
    /// A cancelled call keeps the frames restored so far in a hidden folder beside the output and throws
    /// <see cref="OperationCanceledException"/>; the same call again resumes there and writes the same file an
    /// uninterrupted call would. The output appears only when complete. Memory: a few frames, however long the clip.
    /// </remarks>
    /// <exception cref="InvalidDataException">FFmpeg cannot read the input as a video; the message names the file.</exception>
    /// <exception cref="ArgumentException">The output's container cannot hold the codec asked for.</exception>
    /// <exception cref="NotSupportedException">FFmpeg is not installed.</exception>
    public VideoResult RestoreVideo(string inputPath, string outputPath, VideoSaveOptions? save = null, IProgress<VideoProgress>? progress = null,
                                    CancellationToken cancellation = default)
    {
        var weights = new FileInfo(WeightsPath);
        var description = $"{weights.FullName} {weights.Length} {weights.LastWriteTimeUtc.Ticks} {tiled.Options}";
        return VideoRestoration.Run(inputPath, outputPath, save ?? new VideoSaveOptions(), VideoRestoration.OneByOne((frame, share, stop) => Restore(frame, share, stop)),
            window: 1, description, tiled.Options.MaxPixels ?? ImageLimits.MaxPixels, progress, cancellation);
    }

    /// <summary><paramref name="pixels"/> in <paramref name="wanted"/> channels (gray ↔ RGB; itself when it has them already).</summary>
    private static ImageRaster ToChannels(ImageRaster pixels, int wanted) => (pixels.Bands, wanted) switch
    {
        var (have, _) when have == wanted => pixels,
        (1, 3) => pixels.ToThreeBands(),
        (3, 1) => pixels.Luma(),
        var (have, _) => throw new ArgumentException($"The model takes {wanted}-channel images; this one has {have}."),
    };

    private static Device ParseDevice(string name)
    {
        var parsed = new Device(name);
        if (parsed.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
            throw new NotSupportedException($"Device '{name}' requested but CUDA is not available: this build uses the CPU libtorch runtime (use --device cpu).");
        return parsed;
    }

    /// <summary>The precision in use (<see cref="RestoreOptions.Precision"/> resolved for this machine).</summary>
    public Precision Precision => tiled.Precision;

    /// <summary>What runs the network: "AVX-512 engine", "AVX2 engine", "libtorch module (cpu)" or "ONNX Runtime (cpu)".</summary>
    public string RuntimeName => tiled.RuntimeName;

    /// <summary>Frees the network's native memory, after a call running on another thread has finished.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            tiled.Dispose();
            model.Dispose();
        }
    }
}

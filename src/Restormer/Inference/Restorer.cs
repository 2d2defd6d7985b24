using OpenCvSharp;
using TorchSharp;
using Restormer.Imaging;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Restores photographs with one Restormer checkpoint: the library's entry point.
/// <code>
/// using var restorer = Restorer.Load("motion_deblurring");
/// restorer.Restore("blurry.jpg", "sharp.png");
/// </code>
/// Safe to share between threads: calls are serialised on the model. Dispose to free the network's native memory.
/// </summary>
public sealed class Restorer : IDisposable
{
    private readonly RestormerNet model;
    private readonly TiledRestorer tiled;
    private readonly Device device;
    private readonly object gate = new();

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
    public static Restorer Load(string taskOrWeightsPath, RestoreOptions? options = null)
    {
        var task = RestorationTask.Find(taskOrWeightsPath);
        return task is not null && !File.Exists(taskOrWeightsPath)
            ? Load(task, weightsPath: null, options)
            : Load(task: null, taskOrWeightsPath, options);
    }

    /// <summary>Loads <paramref name="weightsPath"/>, or the task's weights from the model store when it is null.</summary>
    public static Restorer Load(RestorationTask? task, string? weightsPath, RestoreOptions? options = null)
    {
        if (task is null && weightsPath is null)
            throw new ArgumentException("Give a task or a weights file.");
        var path = weightsPath ?? ModelStore.Default.Resolve(task!);
        var model = RestormerNet.FromCheckpoint(path);
        try
        {
            if (model.Config.DualPixelTask)
                throw new NotSupportedException($"'{path}' is a dual-pixel model (6 input channels: left and right views); restore takes single images. Use a single-image checkpoint.");
            return new Restorer(model, path, task, options ?? new RestoreOptions());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Reads images the way this model wants them (grayscale for one-channel models).</summary>
    public ImageFile ReadImage(string path) => ImageFile.Read(path, grayscale: Config.InpChannels == 1);

    /// <summary>Restores a decoded image; bit depth and alpha are kept.</summary>
    public ImageFile Restore(ImageFile image, IProgress<double>? progress = null, CancellationToken cancellation = default) =>
        new(Restore(image.Pixels, progress, cancellation), image.Alpha?.Clone());

    /// <summary>Restores an 8- or 16-bit BGR (or gray) Mat; returns a new Mat of the same size and depth.</summary>
    public Mat Restore(Mat pixels, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        int bitDepth = pixels.Depth() == MatType.CV_16U ? 16 : 8;
        using var matched = MatchChannels(pixels);
        using var input = ImageTensor.ToTensor(matched ?? pixels);
        using var output = Restore(input, progress, cancellation);
        return ImageTensor.ToMat(output, bitDepth);
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

    /// <summary>Restores a 1×C×H×W tensor in [0,1]; the result is on the CPU.</summary>
    public Tensor Restore(Tensor image, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        lock (gate)
        {
            using var onDevice = image.to(device);
            using var restored = tiled.Restore(onDevice, progress, cancellation);
            return restored.cpu().alias();
        }
    }

    /// <summary>
    /// Restores the file at <paramref name="inputPath"/> into a PNG at <paramref name="outputPath"/>, written atomically.
    /// Refuses to overwrite the input.
    /// </summary>
    public void Restore(string inputPath, string outputPath, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
            throw new IOException($"Refusing to overwrite the input '{inputPath}': choose another output path.");
        using var image = ReadImage(inputPath);
        using var restored = Restore(image, progress, cancellation);
        restored.WritePng(outputPath);
    }

    private Mat? MatchChannels(Mat pixels)
    {
        int wanted = Config.InpChannels, have = pixels.Channels();
        if (wanted == have) return null;
        var converted = new Mat();
        Cv2.CvtColor(pixels, converted, (have, wanted) switch
        {
            (1, 3) => ColorConversionCodes.GRAY2BGR,
            (3, 1) => ColorConversionCodes.BGR2GRAY,
            _ => throw new ArgumentException($"The model takes {wanted}-channel images; this one has {have}."),
        });
        return converted;
    }

    private static Device ParseDevice(string name)
    {
        var parsed = new Device(name);
        if (parsed.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
            throw new NotSupportedException($"Device '{name}' requested but CUDA is not available: this build uses the CPU libtorch runtime (use --device cpu).");
        return parsed;
    }

    /// <summary>The precision in use (<see cref="RestoreOptions.Precision"/> resolved for this machine).</summary>
    public Precision Precision => tiled.Precision;

    public void Dispose()
    {
        tiled.Dispose();
        model.Dispose();
    }
}

using OpenCvSharp;
using Restormer.Interop;
using Restormer.IO;
using Restormer.Imaging;
using Restormer.Metrics;
using Restormer.Training.Data;
using Restormer.Training.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>
/// Scores the network on the validation pairs as the reference's <c>nondist_validation</c>: each full-size input is
/// padded (reflect, bottom and right) to a multiple of <c>window_size</c>, restored in eval mode and cropped back;
/// with <c>use_image</c> the output and target are rounded to 8-bit images before scoring (what saved results would
/// score), otherwise PSNR is taken on the float values. Scores are averaged over the pairs.
/// </summary>
public sealed class Validator
{
    readonly IPairedImageSet set;
    readonly ValidationOptions options;
    readonly int seed;
    readonly Device device;

    /// <summary>Validates on <paramref name="set"/>; synthetic pairs get fixed degradations derived from <paramref name="seed"/>.</summary>
    public Validator(IPairedImageSet set, ValidationOptions options, int seed, Device device)
    {
        this.set = set;
        this.options = options;
        this.seed = seed;
        this.device = device;
    }

    /// <summary>
    /// Mean of each configured metric (PSNR when none is configured), by metric name; <paramref name="onImage"/> sees
    /// each restored image (8-bit BGR, disposed after the call) with the pair's name.
    /// </summary>
    public IReadOnlyDictionary<string, double> Run(nn.Module<Tensor, Tensor> net, string? imageFolder, long iteration, Action<string, Mat>? onImage = null)
    {
        var metrics = options.Metrics.Count > 0
            ? options.Metrics
            : [new MetricOptions { Name = "psnr", Type = "calculate_psnr" }];
        var sums = metrics.ToDictionary(m => m.Name, _ => 0.0);
        var wasTraining = net.training;
        net.eval();
        try
        {
            for (int i = 0; i < set.Count; i++)
            {
                var (restored, target) = GcPause.Run(() => Restore(net, i));
                foreach (var metric in metrics)
                    sums[metric.Name] += Score(metric, restored, target);
                if (imageFolder is not null)
                    SaveImage(restored, Path.Combine(imageFolder, set.NameOf(i), $"{set.NameOf(i)}_{iteration}.png"));
                if (onImage is not null)
                {
                    using var image = ToBgr8(restored);
                    onImage(set.NameOf(i), image);
                }
            }
        }
        finally
        {
            net.train(wasTraining);
        }
        return sums.ToDictionary(s => s.Key, s => s.Value / set.Count);
    }

    (PlanarImage Restored, PlanarImage Target) Restore(nn.Module<Tensor, Tensor> net, int index)
    {
        var (lq, gt) = set.Load(index, RandomStreams.For(seed, RandomStream.Validation, index));
        PlanarImage input, target;
        using (lq)
        using (gt)
        {
            input = PlanarImage.FromMat(lq);
            target = PlanarImage.FromMat(gt);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(input.Data, [1, input.Channels, input.Height, input.Width]).to(device);
        var output = Pad(x, options.WindowSize) is { } pad
            ? net.call(pad.Padded).narrow(2, 0, pad.Height).narrow(3, 0, pad.Width)
            : net.call(x);
        var values = output.contiguous().cpu().data<float>().ToArray();
        return (new PlanarImage(values, (int)output.shape[1], input.Height, input.Width), target);
    }

    // Reflect-pads bottom and right to a multiple of the window, as the reference's pad_test; null when none is needed.
    static (Tensor Padded, int Height, int Width)? Pad(Tensor x, int window)
    {
        int h = (int)x.shape[2], w = (int)x.shape[3];
        if (window <= 0 || (h % window == 0 && w % window == 0))
            return null;
        int padH = (window - h % window) % window, padW = (window - w % window) % window;
        return (nn.functional.pad(x, [0, padW, 0, padH], PaddingModes.Reflect), h, w);
    }

    double Score(MetricOptions metric, PlanarImage restored, PlanarImage target)
    {
        if (metric.Type == "calculate_psnr" && !options.UseImage && !metric.TestYChannel)
        {
            var (a, b) = (restored.Crop(metric.CropBorder), target.Crop(metric.CropBorder));
            return Psnr.UnitRange(a.Data, b.Data);
        }
        using var restoredImage = ToBgr8(restored);
        using var targetImage = ToBgr8(target);
        var x = MetricImage.FromMat(restoredImage);
        var y = MetricImage.FromMat(targetImage);
        return metric.Type == "calculate_psnr"
            ? Psnr.Compute(x, y, metric.CropBorder, metric.TestYChannel)
            : Ssim.Compute3D(x, y, metric.CropBorder, metric.TestYChannel);
    }

    // As the reference's tensor2img: clamp to [0,1], ×255, round half to even, BGR.
    static Mat ToBgr8(PlanarImage image)
    {
        using var chw = tensor(image.Data, [image.Channels, image.Height, image.Width]);
        return ImageTensor.ToMat(chw, bitDepth: 8);
    }

    static void SaveImage(PlanarImage image, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bgr = ToBgr8(image);
        AtomicFile.Write(path, (string temporary) =>
        {
            if (!Cv2.ImWrite(temporary, bgr))
                throw new IOException($"Could not write validation image '{path}'.");
        });
    }
}

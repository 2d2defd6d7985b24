using System.Runtime.InteropServices;
using OpenCvSharp;
using Restormer.Interop;
using static TorchSharp.torch;

namespace Restormer.Imaging;

/// <summary>
/// Converts between pixels (RGB or gray, 8/16-bit, HWC; OpenCV's BGR Mats through <see cref="ImageRaster"/>) and the
/// network's input layout (1×C×H×W float32 RGB in [0, 1]), rounding back to integers half-to-even as the reference's
/// <c>img_as_ubyte</c> does. Both directions scale with TorchSharp scalars, so they run inside <see cref="GcPause"/>
/// like the network itself.
/// </summary>
public static class ImageTensor
{
    /// <summary>A 1×C×H×W float32 tensor in [0,1], RGB channel order for colour images, from an OpenCV (BGR) Mat.</summary>
    public static Tensor ToTensor(Mat pixels) => ToTensor(ImageRaster.FromMat(pixels));

    /// <summary>A 1×C×H×W float32 tensor in [0,1] of the raster's bands, in their order.</summary>
    internal static Tensor ToTensor(ImageRaster pixels) => GcPause.Run(() => ToTensorPaused(pixels));

    private static Tensor ToTensorPaused(ImageRaster pixels)
    {
        using var scope = NewDisposeScope();
        long[] shape = [pixels.Height, pixels.Width, pixels.Bands];
        // 16-bit samples are read as int16 and reinterpreted: values ≥ 32768 wrap, so widen through int32 with a mask.
        var hwc = pixels.Wide ? tensor(MemoryMarshal.Cast<byte, short>(pixels.Data).ToArray(), shape).to(ScalarType.Int32).bitwise_and(0xFFFF)
            : tensor(pixels.Data, shape);
        double max = pixels.Wide ? ushort.MaxValue : byte.MaxValue;
        var result = hwc.permute(2, 0, 1).to(ScalarType.Float32).div_(max).unsqueeze(0).contiguous();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Clamps a 1×C×H×W (or C×H×W) tensor to [0,1] and rounds it to an 8- or 16-bit Mat in OpenCV's BGR order.</summary>
    public static Mat ToMat(Tensor image, int bitDepth) => ToRaster(image, bitDepth).ToMat();

    /// <summary>Clamps a 1×C×H×W (or C×H×W) tensor to [0,1] and rounds it to 8- or 16-bit samples, bands in the tensor's order.</summary>
    internal static ImageRaster ToRaster(Tensor image, int bitDepth) => GcPause.Run(() => ToRasterPaused(image, bitDepth));

    private static ImageRaster ToRasterPaused(Tensor image, int bitDepth)
    {
        using var scope = NewDisposeScope();
        var chw = image.dim() == 4 ? image[0] : image;
        int channels = (int)chw.shape[0], rows = (int)chw.shape[1], cols = (int)chw.shape[2];
        double max = bitDepth == 16 ? ushort.MaxValue : byte.MaxValue;
        var hwc = chw.to(ScalarType.Float32).cpu().clamp(0, 1).mul(max).round().permute(1, 2, 0).contiguous();
        if (bitDepth == 16)
        {
            var values = hwc.to(ScalarType.Int32).data<int>().ToArray();
            var data = new byte[values.Length * 2];
            var words = MemoryMarshal.Cast<byte, ushort>(data.AsSpan());
            for (int i = 0; i < values.Length; i++) words[i] = (ushort)values[i];
            return new ImageRaster(cols, rows, channels, wide: true, data);
        }
        return new ImageRaster(cols, rows, channels, wide: false, hwc.to(ScalarType.Byte).data<byte>().ToArray());
    }
}

using System.Runtime.InteropServices;
using OpenCvSharp;
using Restormer.Interop;
using static TorchSharp.torch;

namespace Restormer.Imaging;

/// <summary>
/// Converts between OpenCV pixels (BGR or gray, 8/16-bit, HWC) and the network's input layout (1×C×H×W float32 RGB in
/// [0, 1]), rounding back to integers half-to-even as the reference's <c>img_as_ubyte</c> does. Both directions scale
/// with TorchSharp scalars, so they run inside <see cref="GcPause"/> like the network itself.
/// </summary>
public static class ImageTensor
{
    /// <summary>A 1×C×H×W float32 tensor in [0,1], RGB channel order for colour images.</summary>
    public static Tensor ToTensor(Mat pixels) => GcPause.Run(() => ToTensorPaused(pixels));

    private static Tensor ToTensorPaused(Mat pixels)
    {
        using var scope = NewDisposeScope();
        int channels = pixels.Channels();
        using var continuous = pixels.IsContinuous() ? null : pixels.Clone();
        var source = continuous ?? pixels;
        long count = (long)source.Rows * source.Cols * channels;
        Tensor hwc;
        double max;
        if (source.Depth() == MatType.CV_8U)
        {
            var data = new byte[count];
            Marshal.Copy(source.Data, data, 0, data.Length);
            hwc = tensor(data, [source.Rows, source.Cols, channels]);
            max = byte.MaxValue;
        }
        else if (source.Depth() == MatType.CV_16U)
        {
            var data = new short[count];
            Marshal.Copy(source.Data, data, 0, data.Length);
            // Read as int16 and reinterpret: values ≥ 32768 wrap, so widen through int32 with a mask.
            hwc = tensor(data, [source.Rows, source.Cols, channels]).to(ScalarType.Int32).bitwise_and(0xFFFF);
            max = ushort.MaxValue;
        }
        else throw new ArgumentException("Only 8-bit and 16-bit images are supported.", nameof(pixels));

        var chw = hwc.permute(2, 0, 1);
        if (channels == 3) chw = chw.flip(0); // BGR → RGB
        var result = chw.to(ScalarType.Float32).div_(max).unsqueeze(0).contiguous();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Clamps a 1×C×H×W (or C×H×W) tensor to [0,1] and rounds it to an 8- or 16-bit Mat in OpenCV's BGR order.</summary>
    public static Mat ToMat(Tensor image, int bitDepth) => GcPause.Run(() => ToMatPaused(image, bitDepth));

    private static Mat ToMatPaused(Tensor image, int bitDepth)
    {
        using var scope = NewDisposeScope();
        var chw = image.dim() == 4 ? image[0] : image;
        int channels = (int)chw.shape[0], rows = (int)chw.shape[1], cols = (int)chw.shape[2];
        double max = bitDepth == 16 ? ushort.MaxValue : byte.MaxValue;
        var scaled = chw.to(ScalarType.Float32).cpu().clamp(0, 1).mul(max).round();
        if (channels == 3) scaled = scaled.flip(0); // RGB → BGR
        var hwc = scaled.permute(1, 2, 0).contiguous();
        if (bitDepth == 16)
        {
            var values = hwc.to(ScalarType.Int32).data<int>().ToArray();
            var data = Array.ConvertAll(values, v => (short)(ushort)v);
            var mat = new Mat(rows, cols, MatType.CV_16UC(channels));
            Marshal.Copy(data, 0, mat.Data, data.Length);
            return mat;
        }
        else
        {
            var data = hwc.to(ScalarType.Byte).data<byte>().ToArray();
            var mat = new Mat(rows, cols, MatType.CV_8UC(channels));
            Marshal.Copy(data, 0, mat.Data, data.Length);
            return mat;
        }
    }
}

using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// The network's resampling and full convolutions on channels-last images ([height, width, channels]): libtorch's
/// convolution gets an NCHW view with channels-last strides, so it runs its channels-last (oneDNN) kernel and returns
/// channels-last output without any layout copy.
/// </summary>
internal static class ChannelsLast
{
    /// <summary>
    /// Values libtorch's own convolution kernel may unfold at once (64 MiB of floats). Without oneDNN
    /// (<see cref="Platform.LibTorchGuard"/>) it unfolds its whole input first, 9 values per input channel and pixel:
    /// 1.6 GB for the output convolution of a 1280×720 frame, so there the image is convolved a band of rows at a time.
    /// </summary>
    private const long UnfoldBudget = 1 << 24;

    /// <summary>3×3 convolution, padding 1, of a [H, W, Cin] image with a reference [Cout, Cin, 3, 3] weight.</summary>
    public static Tensor Conv3x3(Tensor image, Tensor weight, Tensor? bias = null) =>
        Conv3x3(image, weight, bias, Platform.LibTorchGuard.Status.OneDnnOn ? image.shape[0]
            : Math.Max(8, UnfoldBudget / (9 * image.shape[1] * image.shape[2])));

    /// <summary>As <see cref="Conv3x3(Tensor, Tensor, Tensor?)"/>, <paramref name="bandRows"/> output rows at a time (each band reads one row more above and below).</summary>
    internal static Tensor Conv3x3(Tensor image, Tensor weight, Tensor? bias, long bandRows)
    {
        long height = image.shape[0];
        if (bandRows >= height) return Convolve(image, weight, bias);
        var output = empty(height, image.shape[1], weight.shape[0], dtype: image.dtype);
        for (long top = 0; top < height; top += bandRows)
        {
            long bottom = Math.Min(height, top + bandRows), from = Math.Max(0, top - 1), to = Math.Min(height, bottom + 1);
            using var band = image.narrow(0, from, to - from);
            using var convolved = Convolve(band, weight, bias);
            using var rows = convolved.narrow(0, top - from, bottom - top);
            using var target = output.narrow(0, top, bottom - top);
            target.copy_(rows);
        }
        return output;
    }

    private static Tensor Convolve(Tensor image, Tensor weight, Tensor? bias)
    {
        using var input = image.unsqueeze(0).permute(0, 3, 1, 2);
        using var output = nn.functional.conv2d(input, weight, bias, padding: [1, 1]);
        using var channelsLast = output.permute(0, 2, 3, 1);
        using var squeezed = channelsLast.squeeze(0);
        return squeezed.contiguous();
    }

    /// <summary>PixelUnshuffle(2): [H, W, C] → [H/2, W/2, 4C], output channel c·4 + i·2 + j from pixel (2h + i, 2w + j).</summary>
    public static Tensor PixelUnshuffle(Tensor image)
    {
        long height = image.shape[0], width = image.shape[1], channels = image.shape[2];
        using var split = image.view(height / 2, 2, width / 2, 2, channels);
        using var moved = split.permute(0, 2, 4, 1, 3);
        return moved.reshape(height / 2, width / 2, channels * 4);
    }

    /// <summary>
    /// PixelShuffle(2) of <paramref name="image"/> ([H, W, 4C]) written into <paramref name="target"/> ([2H, 2W, C], a
    /// channel slice of a larger image is fine), converting the dtype on the way: output pixel (2h + i, 2w + j),
    /// channel c comes from input channel c·4 + i·2 + j, the inverse of <see cref="PixelUnshuffle"/>.
    /// </summary>
    public static void PixelShuffleInto(Tensor image, Tensor target)
    {
        long height = image.shape[0], width = image.shape[1], channels = image.shape[2] / 4;
        using var split = image.view(height, width, channels, 2, 2);
        using var moved = split.permute(0, 3, 1, 4, 2);
        using var blocks = target.view(height, 2, width, 2, channels);
        blocks.copy_(moved);
    }

    /// <summary>1×1 convolution as a matrix product: [H, W, Cin] · weightT [Cin, Cout] (+ bias).</summary>
    public static Tensor Pointwise(Tensor image, Tensor weightT, Tensor? bias)
    {
        using var flat = image.view(-1, image.shape[2]);
        using var product = bias is null ? flat.mm(weightT) : addmm(bias, flat, weightT, 1, 1);
        return product.view(image.shape[0], image.shape[1], -1);
    }
}

using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Restormer.Training.Data;

/// <summary>
/// A float image in the network's layout: channels × height × width, RGB order, values in [0,1]. Plain managed
/// memory, so background loaders can cut and augment patches without touching tensors.
/// </summary>
public sealed class PlanarImage
{
    /// <summary>Wraps <paramref name="data"/> (length channels·height·width, channel-major).</summary>
    public PlanarImage(float[] data, int channels, int height, int width)
    {
        if (data.Length != channels * height * width)
            throw new ArgumentException($"Expected {channels}x{height}x{width} values, got {data.Length}.");
        Data = data;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>The values, index (c·H + y)·W + x.</summary>
    public float[] Data { get; }
    /// <summary>Number of channels.</summary>
    public int Channels { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>The value at (channel, y, x).</summary>
    public float this[int c, int y, int x] => Data[(c * Height + y) * Width + x];

    /// <summary>
    /// Converts <paramref name="region"/> of an OpenCV image (BGR, or several BGR images stacked in channels; 8-bit,
    /// 16-bit or float) to planar RGB in [0,1]: 8-bit is divided by 255 and 16-bit by 65535, as the reference.
    /// </summary>
    public static PlanarImage FromMat(Mat image, Rect region)
    {
        var scale = image.Depth() switch
        {
            MatType.CV_8U => 1.0 / 255,
            MatType.CV_16U => 1.0 / 65535,
            MatType.CV_32F => 1.0,
            _ => throw new InvalidDataException($"Unsupported image depth {image.Type()}; use 8-bit, 16-bit or float images."),
        };
        int channels = image.Channels(), h = region.Height, w = region.Width;
        using var roi = new Mat(image, region);
        using var floats = new Mat();
        roi.ConvertTo(floats, MatType.CV_32FC(channels), scale);
        var interleaved = new float[channels * h * w];
        for (int y = 0; y < h; y++)
            Marshal.Copy(floats.Ptr(y), interleaved, y * w * channels, w * channels);
        var planar = new float[interleaved.Length];
        for (int c = 0; c < channels; c++)
        {
            var source = RgbSourceChannel(c, channels);
            var plane = c * h * w;
            for (int i = 0; i < h * w; i++)
                planar[plane + i] = interleaved[i * channels + source];
        }
        return new PlanarImage(planar, channels, h, w);
    }

    /// <summary>The whole image; see <see cref="FromMat(Mat, Rect)"/>.</summary>
    public static PlanarImage FromMat(Mat image) => FromMat(image, new Rect(0, 0, image.Width, image.Height));

    /// <summary>A copy of the <paramref name="height"/>×<paramref name="width"/> window at (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public PlanarImage Crop(int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || top + height > Height || left + width > Width)
            throw new ArgumentOutOfRangeException(nameof(top), $"Window {height}x{width} at ({top},{left}) is outside the {Height}x{Width} image.");
        var data = new float[Channels * height * width];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < height; y++)
                Array.Copy(Data, (c * Height + top + y) * Width + left, data, (c * height + y) * width, width);
        return new PlanarImage(data, Channels, height, width);
    }

    /// <summary>The image without <paramref name="border"/> pixels on each edge (0 returns this image).</summary>
    public PlanarImage Crop(int border) =>
        border <= 0 ? this : Crop(border, border, Height - 2 * border, Width - 2 * border);

    // OpenCV stores B,G,R; channel c of the RGB result comes from the mirrored position within its group of three.
    static int RgbSourceChannel(int c, int channels) => channels % 3 == 0 ? c / 3 * 3 + 2 - c % 3 : c;
}

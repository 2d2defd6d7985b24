using System.Runtime.InteropServices;
using OpenCvSharp;
using Restormer.Imaging;

namespace Restormer.Metrics;

/// <summary>
/// An image as the reference's metric functions see it: HWC, channels in OpenCV's BGR order, values on the 8-bit
/// scale 0..255 held as float64 (the reference calls <c>astype(np.float64)</c> on what <c>cv2.imread</c> returns).
/// </summary>
public sealed class MetricImage
{
    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Channels: 3 (BGR) for colour, 1 for a Y channel or grayscale.</summary>
    public int Channels { get; }

    /// <summary>Interleaved HWC values on the 0..255 scale; index (row * Width + column) * Channels + channel.</summary>
    public double[] Pixels { get; }

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold height × width × channels values.</summary>
    public MetricImage(int height, int width, int channels, double[] pixels)
    {
        if (height <= 0 || width <= 0 || channels <= 0)
            throw new ArgumentException($"Image size must be positive, got {height}×{width}×{channels}.");
        if (pixels.Length != height * width * channels)
            throw new ArgumentException($"Expected {height}×{width}×{channels} = {height * width * channels} values, got {pixels.Length}.", nameof(pixels));
        (Height, Width, Channels, Pixels) = (height, width, channels, pixels);
    }

    /// <summary>Size as text for messages, e.g. <c>200×232×3</c> (height × width × channels).</summary>
    public override string ToString() => $"{Height}×{Width}×{Channels}";

    /// <summary>
    /// Reads a colour image the way the reference does (<c>cv2.imread</c>, BGR; grayscale files become three equal
    /// channels). 16-bit files are read at full depth and scaled by 255/65535 rather than cut to their high byte (what
    /// <c>cv2.imread</c> without <c>IMREAD_ANYDEPTH</c> does); PSNR then equals that of the reference's 16-bit
    /// evaluation (values / 65535, peak 1).
    /// </summary>
    public static MetricImage Read(string path)
    {
        using var mat = ImageDecoder.Read(path, ImreadModes.Color | ImreadModes.AnyDepth);
        return FromMat(mat, path);
    }

    /// <summary>Copies an 8-bit or 16-bit OpenCV image (any channel count, channel order kept) into a metric image.</summary>
    public static MetricImage FromMat(Mat mat, string? name = null)
    {
        var depth = mat.Depth();
        double scale = depth == MatType.CV_8U ? 1.0
            : depth == MatType.CV_16U ? 255.0 / 65535.0
            : throw new NotSupportedException($"{name ?? "Image"} has pixel type {mat.Type()}; only 8-bit and 16-bit images can be measured.");
        using var converted = new Mat();
        mat.ConvertTo(converted, MatType.CV_64FC(mat.Channels()), scale);
        var pixels = new double[converted.Rows * converted.Cols * converted.Channels()];
        Marshal.Copy(converted.Data, pixels, 0, pixels.Length);
        return new MetricImage(converted.Rows, converted.Cols, converted.Channels(), pixels);
    }

    /// <summary>
    /// Drops <paramref name="border"/> pixels on every edge (the reference's <c>crop_border</c>, which removes the
    /// region that upscaling or padding artefacts affect); 0 returns this image.
    /// </summary>
    public MetricImage CropBorder(int border)
    {
        if (border == 0) return this;
        if (border < 0 || 2 * border >= Height || 2 * border >= Width)
            throw new ArgumentOutOfRangeException(nameof(border), border, $"Crop border must be 0 or more and leave pixels of a {Height}×{Width} image.");
        int height = Height - 2 * border, width = Width - 2 * border, rowLength = width * Channels;
        var pixels = new double[height * rowLength];
        for (var row = 0; row < height; row++)
            Pixels.AsSpan(((row + border) * Width + border) * Channels, rowLength).CopyTo(pixels.AsSpan(row * rowLength));
        return new MetricImage(height, width, Channels, pixels);
    }

    /// <summary>
    /// The Y channel of YCbCr (ITU-R BT.601 as MATLAB's <c>rgb2ycbcr</c>: Y = 16 + 65.481 R + 128.553 G + 24.966 B on
    /// [0,1] input, in 16..235) of this BGR image, with the reference's float32 roundings (<c>to_y_channel</c>).
    /// A one-channel image is returned as is, as the reference does.
    /// </summary>
    public MetricImage ToYChannel()
    {
        if (Channels == 1) return this;
        if (Channels != 3) throw new InvalidOperationException($"The Y channel needs a 3-channel BGR image, this one has {Channels} channels.");
        var y = new double[Height * Width];
        for (var i = 0; i < y.Length; i++)
        {
            double b = (float)Pixels[3 * i] / 255f, g = (float)Pixels[3 * i + 1] / 255f, r = (float)Pixels[3 * i + 2] / 255f;
            var unit = (float)((b * 24.966 + g * 128.553 + r * 65.481 + 16.0) / 255.0);
            y[i] = unit * 255f;
        }
        return new MetricImage(Height, Width, 1, y);
    }

    /// <summary>The crop, then Y conversion, that PSNR and SSIM share, in the reference's order.</summary>
    internal MetricImage Prepare(int cropBorder, bool yChannel)
    {
        var cropped = CropBorder(cropBorder);
        return yChannel ? cropped.ToYChannel() : cropped;
    }

    /// <summary>Throws when two images differ in size, naming both sizes, since every metric compares pixel by pixel.</summary>
    internal static void EnsureSameSize(MetricImage restored, MetricImage reference)
    {
        if (restored.Height != reference.Height || restored.Width != reference.Width || restored.Channels != reference.Channels)
            throw new ArgumentException($"Image sizes differ: restored {restored}, reference {reference} (height×width×channels).");
    }
}

using System.Runtime.InteropServices;
using NetVips;
using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>
/// Pixels in managed memory, as libvips reads and writes them: rows of interleaved samples, RGB(A) or gray(+alpha)
/// order, 8-bit or 16-bit unsigned (native byte order). Restoring reads, converts and writes these without OpenCV,
/// whose native library exists for Linux only here; <see cref="FromMat"/> and <see cref="ToMat"/> meet OpenCV's
/// BGR layout where a caller works with Mats.
/// </summary>
internal sealed class ImageRaster
{
    public int Width { get; }
    public int Height { get; }
    public int Bands { get; }
    /// <summary>16 bits per sample (else 8).</summary>
    public bool Wide { get; }
    public byte[] Data { get; }

    public ImageRaster(int width, int height, int bands, bool wide, byte[] data)
    {
        if (data.Length != (long)width * height * bands * (wide ? 2 : 1))
            throw new ArgumentException($"{data.Length} bytes do not hold {width}×{height}×{bands} samples of {(wide ? 16 : 8)} bits.", nameof(data));
        (Width, Height, Bands, Wide, Data) = (width, height, bands, wide, data);
    }

    public int BitDepth => Wide ? 16 : 8;

    /// <summary>The samples as 16-bit values (valid when <see cref="Wide"/>).</summary>
    public Span<ushort> Words => MemoryMarshal.Cast<byte, ushort>(Data.AsSpan());

    private int Sample(int index) => Wide ? Words[index] : Data[index];

    /// <summary>An 8- or 16-bit unsigned libvips image, decoded into memory.</summary>
    public static ImageRaster FromVips(Image image)
    {
        if (image.Format is not (Enums.BandFormat.Uchar or Enums.BandFormat.Ushort))
            throw new ArgumentException($"Only 8- and 16-bit unsigned samples are held, not {image.Format}.", nameof(image));
        // The raw buffer: NetVips' typed array export refuses band formats that differ from the interpretation tag's
        // (a damaged file's odd tags).
        var buffer = image.WriteToMemory(out ulong size);
        try
        {
            var data = new byte[size];
            Marshal.Copy(buffer, data, 0, data.Length);
            return new ImageRaster(image.Width, image.Height, image.Bands, image.Format == Enums.BandFormat.Ushort, data);
        }
        finally
        {
            NetVips.NetVips.Free(buffer);
        }
    }

    /// <summary>A libvips image over a copy of the samples.</summary>
    public Image ToVips() => Image.NewFromMemoryCopy<byte>(Data, Width, Height, Bands, Wide ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar);

    /// <summary>One band of each pixel (0-based), e.g. the alpha of a gray+alpha or RGBA raster.</summary>
    public ImageRaster Band(int band) => Select([band]);

    /// <summary>The first <paramref name="count"/> bands, e.g. the colour of an RGBA raster.</summary>
    public ImageRaster FirstBands(int count) => Select([.. Enumerable.Range(0, count)]);

    /// <summary>Gray repeated in three bands.</summary>
    public ImageRaster ToThreeBands() => Select([0, 0, 0]);

    /// <summary>These bands followed by <paramref name="alpha"/>'s one band.</summary>
    public ImageRaster WithAlpha(ImageRaster alpha)
    {
        if (alpha.Width != Width || alpha.Height != Height || alpha.Bands != 1 || alpha.Wide != Wide)
            throw new ArgumentException("The alpha must be one band of the image's size and depth.", nameof(alpha));
        int size = Wide ? 2 : 1, pixels = Width * Height, bands = Bands + 1;
        var data = new byte[pixels * bands * size];
        for (int p = 0; p < pixels; p++)
        {
            Array.Copy(Data, p * Bands * size, data, p * bands * size, Bands * size);
            Array.Copy(alpha.Data, p * size, data, (p * bands + Bands) * size, size);
        }
        return new ImageRaster(Width, Height, bands, Wide, data);
    }

    /// <summary>True for one band, or three equal ones (a black-and-white photo saved as RGB).</summary>
    public bool IsGray
    {
        get
        {
            if (Bands != 3) return Bands == 1;
            for (int i = 0; i < Width * Height * 3; i += 3)
                if (Sample(i) != Sample(i + 1) || Sample(i + 1) != Sample(i + 2)) return false;
            return true;
        }
    }

    /// <summary>
    /// The luma of three RGB bands in one band, with OpenCV's integer weights and rounding (<c>cvtColor</c>'s
    /// RGB2GRAY: 9798 R + 19235 G + 3735 B, 15-bit fixed point), so that gray models see what OpenCV gave them.
    /// </summary>
    public ImageRaster Luma()
    {
        if (Bands != 3) throw new InvalidOperationException($"Luma needs three bands, not {Bands}.");
        int pixels = Width * Height;
        var result = new ImageRaster(Width, Height, 1, Wide, new byte[pixels * (Wide ? 2 : 1)]);
        var words = Wide ? result.Words : default;
        for (int p = 0; p < pixels; p++)
        {
            int value = (Sample(3 * p) * 9798 + Sample(3 * p + 1) * 19235 + Sample(3 * p + 2) * 3735 + (1 << 14)) >> 15;
            if (Wide) words[p] = (ushort)value;
            else result.Data[p] = (byte)value;
        }
        return result;
    }

    /// <summary>16-bit samples scaled to 8 bits, rounded to nearest (as OpenCV's <c>ConvertTo</c> with scale 1/257).</summary>
    public ImageRaster Narrowed()
    {
        if (!Wide) return this;
        var words = Words;
        var data = new byte[words.Length];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)((words[i] * 2 + 257) / 514);
        return new ImageRaster(Width, Height, Bands, false, data);
    }

    /// <summary>OpenCV's layout of the same pixels: BGR(A) order for colour.</summary>
    public Mat ToMat()
    {
        var mat = new Mat(Height, Width, MatType.MakeType(Wide ? MatType.CV_16U : MatType.CV_8U, Bands));
        Marshal.Copy(Bands >= 3 ? SwapRedBlue().Data : Data, 0, mat.Data, Data.Length);
        return mat;
    }

    /// <summary>The pixels of an 8- or 16-bit unsigned Mat (BGR(A) or gray, any stride), in RGB(A) order.</summary>
    public static ImageRaster FromMat(Mat mat)
    {
        bool wide = mat.Depth() == MatType.CV_16U;
        if (!wide && mat.Depth() != MatType.CV_8U) throw new ArgumentException("Only 8-bit and 16-bit images are supported.", nameof(mat));
        using var continuous = mat.IsContinuous() ? null : mat.Clone();
        var source = continuous ?? mat;
        var data = new byte[source.Total() * source.ElemSize()];
        Marshal.Copy(source.Data, data, 0, data.Length);
        var raster = new ImageRaster(source.Width, source.Height, source.Channels(), wide, data);
        return raster.Bands >= 3 ? raster.SwapRedBlue() : raster;
    }

    /// <summary>RGB(A) ↔ BGR(A): the first and third bands exchanged.</summary>
    private ImageRaster SwapRedBlue() => Select([2, 1, 0, .. Enumerable.Range(3, Bands - 3)]);

    /// <summary>
    /// A raster whose band b of each pixel is this raster's band <paramref name="map"/>[b]. Typed span copies, not a
    /// delegate and a block copy per sample: video frames go through here twice each.
    /// </summary>
    private ImageRaster Select(ReadOnlySpan<int> map)
    {
        int bands = map.Length, pixels = Width * Height;
        var data = new byte[pixels * bands * (Wide ? 2 : 1)];
        if (Wide)
        {
            ReadOnlySpan<ushort> source = Words;
            var target = MemoryMarshal.Cast<byte, ushort>(data.AsSpan());
            for (int p = 0; p < pixels; p++)
                for (int b = 0; b < bands; b++)
                    target[p * bands + b] = source[p * Bands + map[b]];
        }
        else
            for (int p = 0; p < pixels; p++)
                for (int b = 0; b < bands; b++)
                    data[p * bands + b] = Data[p * Bands + map[b]];
        return new ImageRaster(Width, Height, bands, Wide, data);
    }
}

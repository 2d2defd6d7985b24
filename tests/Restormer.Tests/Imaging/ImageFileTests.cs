using System.Runtime.InteropServices;
using OpenCvSharp;
using Restormer.Imaging;

namespace Restormer.Tests.Imaging;

public class ImageFileTests
{
    /// <summary>A deterministic pattern covering the full value range of every channel.</summary>
    private static Mat Gradient(int rows, int cols, MatType type, double max)
    {
        var mat = new Mat(rows, cols, type);
        int channels = mat.Channels();
        var values = new double[rows * cols * channels];
        for (int i = 0; i < values.Length; i++)
            values[i] = (i * 37 % 256) / 255.0 * max;
        if (mat.Depth() == MatType.CV_16U)
            Marshal.Copy(values.Select(v => (short)(ushort)v).ToArray(), 0, mat.Data, values.Length);
        else
            Marshal.Copy(values.Select(v => (byte)v).ToArray(), 0, mat.Data, values.Length);
        return mat;
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void PixelsSurviveTensorRoundTripExactly(int bits)
    {
        using var mat = Gradient(9, 11, bits == 16 ? MatType.CV_16UC3 : MatType.CV_8UC3, bits == 16 ? 65535 : 255);
        using var tensor = ImageTensor.ToTensor(mat);
        Assert.Equal(new long[] { 1, 3, 9, 11 }, tensor.shape);
        using var back = ImageTensor.ToMat(tensor, bits);
        Assert.Equal(0, Cv2.Norm(mat, back, NormTypes.INF));
    }

    [Fact]
    public void TensorIsRgbInUnitRange()
    {
        using var mat = new Mat(1, 1, MatType.CV_8UC3, new Scalar(255, 0, 51)); // B=255, G=0, R=51
        using var tensor = ImageTensor.ToTensor(mat);
        Assert.Equal(0.2f, tensor[0, 0, 0, 0].item<float>(), 6);
        Assert.Equal(1.0f, tensor[0, 2, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void RoundingIsHalfToEvenAndClamped()
    {
        using var values = TorchSharp.torch.tensor(new float[] { 0.5f / 255, 1.5f / 255, -0.2f, 1.7f }).reshape(1, 1, 1, 4);
        using var mat = ImageTensor.ToMat(values, 8);
        Assert.Equal(new byte[] { 0, 2, 0, 255 }, Enumerable.Range(0, 4).Select(i => mat.At<byte>(0, i)).ToArray());
    }

    [Fact]
    public void SixteenBitPngWithAlphaRoundTrips()
    {
        var dir = TestPaths.NewTempDir();
        using var bgra = Gradient(6, 5, MatType.CV_16UC4, 65535);
        var path = Path.Combine(dir, "in.png");
        Cv2.ImWrite(path, bgra);
        using var image = ImageFile.Read(path);
        Assert.Equal(16, image.BitDepth);
        Assert.Equal(3, image.Channels);
        Assert.NotNull(image.Alpha);
        var outPath = Path.Combine(dir, "out.png");
        image.WritePng(outPath);
        using var back = Cv2.ImRead(outPath, ImreadModes.Unchanged);
        Assert.Equal(0, Cv2.Norm(bgra, back, NormTypes.INF));
    }

    [Fact]
    public void ExifOrientationIsHonoured()
    {
        // A 4×2 (w×h) JPEG whose EXIF says "rotate 90° clockwise" (orientation 6) must come out 2×4.
        var dir = TestPaths.NewTempDir();
        using var mat = new Mat(2, 4, MatType.CV_8UC3, new Scalar(10, 120, 240));
        Cv2.ImEncode(".jpg", mat, out var jpeg);
        var path = Path.Combine(dir, "rotated.jpg");
        File.WriteAllBytes(path, WithExifOrientation(jpeg, 6));
        using var image = ImageFile.Read(path);
        Assert.Equal((2, 4), (image.Width, image.Height));
    }

    [Fact]
    public void CorruptFileIsReportedByName()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "broken.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var error = Assert.Throws<ImageReadException>(() => ImageFile.Read(path));
        Assert.Contains("broken.png", error.Message);
    }

    /// <summary>Inserts an APP1 Exif segment with one IFD0 entry (Orientation) after the JPEG's SOI marker.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8,      // big-endian TIFF header, IFD0 at 8
            0, 1,                                         // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, // Orientation, SHORT, 1
            0, 0, 0, 0,                                   // no next IFD
        ];
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }
}

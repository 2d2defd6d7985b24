using OpenCvSharp;
using Restormer.Imaging;

namespace Restormer.Tests.Imaging;

/// <summary>The managed pixels that restoring uses meet OpenCV's Mats exactly where both exist (Linux).</summary>
public class ImageRasterTests
{
    private static Mat Random(MatType type, int seed)
    {
        var mat = new Mat(23, 17, type);
        var bytes = new byte[mat.Total() * mat.ElemSize()];
        new Random(seed).NextBytes(bytes);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, mat.Data, bytes.Length);
        return mat;
    }

    [Theory]
    [InlineData(MatType.CV_8U, 1)]
    [InlineData(MatType.CV_8U, 3)]
    [InlineData(MatType.CV_8U, 4)]
    [InlineData(MatType.CV_16U, 2)]
    [InlineData(MatType.CV_16U, 3)]
    public void MatsRoundTripWithRedAndBlueSwapped(int depth, int channels)
    {
        using var mat = Random(MatType.MakeType(depth, channels), 1);
        var raster = ImageRaster.FromMat(mat);
        Assert.Equal((mat.Width, mat.Height, channels, depth == MatType.CV_16U), (raster.Width, raster.Height, raster.Bands, raster.Wide));
        using var back = raster.ToMat();
        Assert.Equal(0, Cv2.Norm(mat, back, NormTypes.INF));
        if (channels >= 3)
        {
            using var red = mat.ExtractChannel(2);
            using var first = raster.Band(0).ToMat(); // one band: no order to swap
            Assert.Equal(0, Cv2.Norm(red, first, NormTypes.INF));
        }
    }

    [Fact]
    public void LumaIsOpenCvsGray()
    {
        using var bgr = Random(MatType.CV_8UC3, 2);
        using var expected = bgr.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var luma = ImageRaster.FromMat(bgr).Luma().ToMat();
        Assert.Equal(0, Cv2.Norm(expected, luma, NormTypes.INF));
    }

    [Fact]
    public void NarrowingRoundsSixteenBitsToNearest()
    {
        var words = new ushort[] { 0, 128, 129, 257, 65535, 32896 };
        var data = new byte[words.Length * 2];
        Buffer.BlockCopy(words, 0, data, 0, data.Length);
        var narrow = new ImageRaster(words.Length, 1, 1, wide: true, data).Narrowed();
        Assert.Equal(new byte[] { 0, 0, 1, 1, 255, 128 }, narrow.Data);
    }
}

using OpenCvSharp;

namespace Restormer.Tests.Degradations;

/// <summary>Small float images and kernel measurements shared by the degradation tests.</summary>
static class DegradationTestImages
{
    /// <summary>A flat float image of the given size, channels and value.</summary>
    public static Mat Flat(int rows, int cols, double value, int channels = 3) =>
        new(rows, cols, MatType.CV_32FC(channels), Scalar.All(value));

    /// <summary>A crop of a real CBSD68 photograph as CV_32FC3 in [0, 1] (small, to keep tests fast).</summary>
    public static Mat Photo(int size = 96)
    {
        using var bgr = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101085.png"), ImreadModes.Color);
        Assert.False(bgr.Empty(), "the shared CBSD68 sample image is missing");
        using var crop = new Mat(bgr, new Rect(100, 100, size, size));
        var result = new Mat();
        crop.ConvertTo(result, MatType.CV_32FC3, 1 / 255.0);
        return result;
    }

    /// <summary>The values of a continuous float Mat, as doubles.</summary>
    public static double[] Values(Mat mat)
    {
        using var copy = mat.Clone();
        return copy.AsSpan<float>().ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>Mean and population variance of a float Mat's values.</summary>
    public static (double Mean, double Variance) Moments(Mat mat)
    {
        var v = Values(mat);
        var mean = v.Average();
        return (mean, v.Select(x => (x - mean) * (x - mean)).Average());
    }

    /// <summary>Largest absolute difference between two float Mats of equal shape.</summary>
    public static double MaxAbsDiff(Mat a, Mat b)
    {
        Assert.Equal(a.Size(), b.Size());
        Assert.Equal(a.Type(), b.Type());
        return Values(a).Zip(Values(b), (x, y) => Math.Abs(x - y)).Max();
    }

    /// <summary>A kernel's centre of mass in pixels, relative to its centre pixel.</summary>
    public static (double X, double Y) Centroid(Mat kernel)
    {
        double sx = 0, sy = 0, total = 0;
        var size = kernel.Rows;
        var half = size / 2;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var w = kernel.At<float>(y, x);
                sx += w * (x - half);
                sy += w * (y - half);
                total += w;
            }
        return (sx / total, sy / total);
    }

    /// <summary>Asserts the properties every blur kernel must have: square, odd, CV_32FC1, non-negative, sum 1.</summary>
    public static void AssertValidKernel(Mat kernel)
    {
        Assert.Equal(MatType.CV_32FC1, kernel.Type());
        Assert.Equal(kernel.Rows, kernel.Cols);
        Assert.Equal(1, kernel.Rows % 2);
        var values = Values(kernel);
        Assert.All(values, v => Assert.True(v >= 0, $"negative kernel value {v}"));
        Assert.Equal(1.0, values.Sum(), 4);
    }
}

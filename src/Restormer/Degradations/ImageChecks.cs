using OpenCvSharp;

namespace Restormer.Degradations;

/// <summary>Argument checks shared by the degradations, which all work on float images with values in [0, 1].</summary>
internal static class ImageChecks
{
    /// <summary>Throws unless <paramref name="image"/> is a non-empty 32-bit float image with 1 to 4 channels.</summary>
    public static void RequireFloat(Mat image)
    {
        if (image.Empty() || image.Depth() != MatType.CV_32F || image.Channels() > 4)
            throw new ArgumentException(
                $"Degradations need a non-empty float image (CV_32FC1 or CV_32FC3, values in [0,1]); got {image.Type()} of {image.Width}x{image.Height}. " +
                "Convert with image.ConvertTo(dst, MatType.CV_32FC3, 1/255.0) first.", nameof(image));
    }
}

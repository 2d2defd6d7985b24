using OpenCvSharp;

namespace Restormer.Imaging;

/// <summary>The eight rotations/flips an EXIF orientation tag can ask for (the dihedral group of the square).</summary>
public sealed record Orientation(int Rotations90, bool FlipHorizontal)
{
    /// <summary>All eight, identity first.</summary>
    public static IReadOnlyList<Orientation> All { get; } =
        [.. Enumerable.Range(0, 4).SelectMany(r => new[] { new Orientation(r, false), new Orientation(r, true) })];

    /// <summary>A new Mat: optionally mirrored left–right, then rotated clockwise by 90° steps.</summary>
    public Mat Apply(Mat source)
    {
        var result = source.Clone();
        if (FlipHorizontal) Cv2.Flip(result, result, FlipMode.Y);
        for (int i = 0; i < Rotations90; i++)
        {
            var rotated = new Mat();
            Cv2.Rotate(result, rotated, RotateFlags.Rotate90Clockwise);
            result.Dispose();
            result = rotated;
        }
        return result;
    }
}

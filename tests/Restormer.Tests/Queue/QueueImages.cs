using OpenCvSharp;

namespace Restormer.Tests.Queue;

/// <summary>Small distinct photos for queue tests: crops of the CBSD68 sharp set, resized.</summary>
public static class QueueImages
{
    public static string TinyWeights => Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    /// <summary>Writes <paramref name="count"/> PNGs of <paramref name="size"/> named <c>photo_NN.png</c> into <paramref name="folder"/>.</summary>
    public static List<string> Write(string folder, int count, Size size)
    {
        Directory.CreateDirectory(folder);
        var sources = Directory.GetFiles(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68"), "*.png").Order().ToList();
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            using var photo = Cv2.ImRead(sources[i % sources.Count]);
            using var small = photo.Resize(size, interpolation: InterpolationFlags.Area);
            var path = Path.Combine(folder, $"photo_{i:D2}.png");
            Cv2.ImWrite(path, small);
            paths.Add(path);
        }
        return paths;
    }
}

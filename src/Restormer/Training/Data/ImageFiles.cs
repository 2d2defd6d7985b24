using OpenCvSharp;
using Restormer.Imaging;

namespace Restormer.Training.Data;

/// <summary>Finds and reads the image files of a data folder with OpenCV, with messages that name the file.</summary>
public static class ImageFiles
{
    static readonly HashSet<string> Extensions =
        new([".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the file name has an image extension OpenCV reads.</summary>
    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>
    /// The image files in <paramref name="folder"/> (and, with <paramref name="recursive"/>, its sub-folders), sorted by
    /// path (ordinal, as Python's sorted). Every file's header and completeness are checked first (no decoding), so a
    /// damaged file stops the run before training, with every such file named, not hours later when a batch draws it.
    /// </summary>
    public static string[] List(string folder, string optionName, bool recursive = false)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Data folder '{folder}' ({optionName}) does not exist (relative paths are resolved from the current folder '{Environment.CurrentDirectory}').");
        var files = Directory.EnumerateFiles(folder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Where(IsImage).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"Data folder '{folder}' ({optionName}) holds no image files (.png, .jpg, .tif, ...).");
        var damaged = files.Select(Problem).OfType<string>().ToList();
        if (damaged.Count > 0)
            throw new InvalidDataException($"{damaged.Count} of {files.Length} image files in data folder '{folder}' ({optionName}) cannot be read; " +
                $"remove or replace them: {string.Join(" ", damaged.Take(MaxNamed))}{(damaged.Count > MaxNamed ? $" … and {damaged.Count - MaxNamed} more." : "")}");
        return files;
    }

    const int MaxNamed = 5;

    /// <summary>
    /// The width and height <paramref name="path"/>'s header declares: the header alone, since <see cref="List"/>
    /// has already made the whole check (completeness walks a JPEG to its end) of every file it returns.
    /// </summary>
    public static (long Width, long Height) Size(string path)
    {
        using var stream = File.OpenRead(path);
        var header = ImageHeader.Read(stream, out var problem) ?? throw new ImageReadException(path, problem!);
        return (header.Width, header.Height);
    }

    static string? Problem(string path)
    {
        try
        {
            ImageDecoder.Check(path, maxPixels: long.MaxValue);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Reads an image keeping its bit depth (8- or 16-bit), as colour (BGR) or, with <paramref name="grayscale"/>,
    /// as one channel. Unlike <see cref="Restormer.Imaging.ImageFile.Read"/> it does not decode the file a second time
    /// for an alpha channel: training decodes every pair over and over and has no use for alpha.
    /// </summary>
    public static Mat Read(string path, bool grayscale = false) =>
        ImageDecoder.Read(path, ImreadModes.AnyDepth | (grayscale ? ImreadModes.Grayscale : ImreadModes.Color));
}

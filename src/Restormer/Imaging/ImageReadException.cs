namespace Restormer.Imaging;

/// <summary>An input file could not be decoded as an image; the message names the file and the reason.</summary>
public class ImageReadException(string path, string reason) : IOException($"Cannot read '{path}': {reason}.")
{
    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; } = path;
    /// <summary>Why, without the file name.</summary>
    public string Reason { get; } = reason;
}


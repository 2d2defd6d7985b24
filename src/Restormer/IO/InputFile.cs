namespace Restormer.IO;

/// <summary>
/// One file a run reads: its <see cref="Path"/>, where it sits below the folder it was found in
/// (<see cref="RelativePath"/>, mirrored in an output folder) and the <see cref="Name"/> messages show.
/// </summary>
public sealed record InputFile(string Path, string RelativePath)
{
    /// <summary>The input folder it was found in; null for a file named directly or by a pattern.</summary>
    public string? Folder { get; init; }

    /// <summary>A name for messages other than the path, such as <c>-</c> for standard input.</summary>
    public string? Label { get; init; }

    /// <summary>How messages name it: the label, or the path as given.</summary>
    public string Name => Label ?? Path;
}

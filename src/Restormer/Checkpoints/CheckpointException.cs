namespace Restormer.Checkpoints;

/// <summary>
/// A checkpoint could not be read or written. The message always names the file, says what is wrong with it and
/// how to fix it, because the person who sees it is usually a user pointing the tool at the wrong or a damaged file.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception; the message reads "Checkpoint 'path': problem. fix".</summary>
    public CheckpointException(string path, string problem, string fix, Exception? inner = null)
        : base($"Checkpoint '{path}': {problem}. {fix}", inner) => FilePath = path;

    /// <summary>The checkpoint file the problem is about.</summary>
    public string FilePath { get; }

    /// <summary>The file's bytes contradict the format; the usual cause is a damaged or truncated download.</summary>
    internal static CheckpointException Corrupt(string path, string problem, Exception? inner = null) =>
        new(path, problem, "The file is damaged, truncated or not a weights file: download or export it again.", inner);
}

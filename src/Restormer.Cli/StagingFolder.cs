namespace Restormer.Cli;

/// <summary>
/// A private temporary folder for images that pass through standard input or output (decoders and encoders need
/// files); deleted with everything in it on dispose.
/// </summary>
public sealed class StagingFolder : IDisposable
{
    private readonly string path = Directory.CreateTempSubdirectory("restormer-stdio-").FullName;

    /// <summary>The path of a file named <paramref name="name"/> in the folder.</summary>
    public string PathFor(string name) => Path.Combine(path, name);

    public void Dispose()
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
    }
}

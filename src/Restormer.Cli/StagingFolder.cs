using Restormer.IO;

namespace Restormer.Cli;

/// <summary>
/// A private temporary folder for images that pass through standard input or output (decoders and encoders need
/// files), and for video frames on their way to queue workers; deleted with everything in it on dispose. Its name carries the process id, so that the folder of a killed
/// run is removed by the next one (<see cref="OwnerProcess"/>).
/// </summary>
public sealed class StagingFolder : IDisposable
{
    private const string Prefix = "restormer-stdio-";

    private readonly string path = OwnerProcess.CreateFolder(Path.GetTempPath(), Prefix);

    /// <summary>The path of a file named <paramref name="name"/> in the folder.</summary>
    public string PathFor(string name) => Path.Combine(path, name);

    public void Dispose()
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
    }
}

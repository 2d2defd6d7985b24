using Restormer.IO;
using Restormer.Platform;

namespace Restormer.Cli.Serve;

/// <summary>
/// The server's private temporary folder, <c>restormer-serve-&lt;pid&gt;-&lt;random&gt;</c>, with one subfolder per job.
/// Deleted on dispose; folders that servers which were killed left behind are deleted when the next one starts, and so
/// are ASP.NET Core's upload buffers (<c>ASPNETCORE_*.tmp</c>) that no running process holds open (left by servers
/// of earlier versions, which buffered uploads on disk).
/// </summary>
public sealed class WorkFolder : IDisposable
{
    private const string Prefix = "restormer-serve-";

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Creates a fresh folder under <paramref name="parent"/>, after removing leftovers of dead servers there.</summary>
    public WorkFolder(string parent)
    {
        Path = OwnerProcess.CreateFolder(parent, Prefix); // makes the parent too
        RemoveUploadBuffers(parent);
    }

    /// <summary>A new empty folder for one job.</summary>
    public string CreateJobFolder(string jobId) => Directory.CreateDirectory(System.IO.Path.Combine(Path, jobId)).FullName;

    /// <summary>Deletes a job's folder; a file still open elsewhere is left for the next sweep or shutdown.</summary>
    public static void DeleteJobFolder(string folder) => TryDelete(folder);

    /// <summary>Deletes the folder and everything in it.</summary>
    public void Dispose() => TryDelete(Path);

    /// <summary>
    /// ASP.NET Core's upload buffers that no running process holds open; none where the system does not say which
    /// files are open (Windows, whose delete-on-close buffers leave nothing behind).
    /// </summary>
    private static void RemoveUploadBuffers(string parent)
    {
        var buffers = Directory.GetFiles(parent, "ASPNETCORE_*.tmp");
        if (buffers.Length > 0 && HostSystem.Current.OpenFiles() is { } open)
            foreach (var file in buffers.Where(f => !open.Contains(System.IO.Path.GetFullPath(f))))
                try { File.Delete(file); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

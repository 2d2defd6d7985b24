using Restormer.IO;

namespace Restormer.Video;

/// <summary>
/// Where a clip's restored frames wait, in chunks (<see cref="ChunkWriter"/>), until the whole clip is encoded: the
/// hidden folder <c>.&lt;output name&gt;.restormer</c> beside the output. It outlives an interrupted run, so the same
/// command run again restores only the frames no chunk holds; a description of the job (input, model, options)
/// kept in it makes a run with anything changed start afresh instead. A lock file keeps two runs from writing one
/// output at once. It is deleted once the output is complete.
/// </summary>
public sealed class WorkFolder : IDisposable
{
    private readonly FileStream lockFile;

    public string Path { get; }

    private WorkFolder(string path, FileStream lockFile) => (Path, this.lockFile) = (path, lockFile);

    /// <summary>The work folder for <paramref name="output"/>, created if missing, emptied when it was for another <paramref name="job"/>.</summary>
    /// <exception cref="IOException">Another run is writing the same output.</exception>
    public static WorkFolder Open(string output, string job)
    {
        var path = PathFor(output);
        OwnerProcess.CreatePrivateDirectory(path);
        FileStream lockFile;
        try { lockFile = new FileStream(System.IO.Path.Combine(path, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e)
        {
            throw new IOException($"Another restormer run is restoring into '{output}' now (it holds '{path}'): wait for it, or choose another output.", e);
        }
        var folder = new WorkFolder(path, lockFile);
        AtomicFile.RemoveStalePartials(path);
        var jobPath = System.IO.Path.Combine(path, "job.json");
        if (!File.Exists(jobPath) || File.ReadAllText(jobPath) != job)
        {
            foreach (var chunk in folder.ChunkFiles()) File.Delete(chunk);
            File.WriteAllText(jobPath, job);
        }
        return folder;
    }

    /// <summary>
    /// The chunks that hold frames 0, 1, … without a gap, in order, and how many frames they hold; any other chunk
    /// (left by a run that was killed while it renamed) is deleted.
    /// </summary>
    public (IReadOnlyList<string> Chunks, int Frames) Restored()
    {
        var chunks = new List<string>();
        int frames = 0;
        foreach (var (path, span) in ChunkFiles().Select(p => (p, ChunkWriter.Parse(System.IO.Path.GetFileName(p))!.Value)).OrderBy(c => c.Item2.Start))
        {
            if (span.Start == frames)
            {
                chunks.Add(path);
                frames += span.Count;
            }
            else File.Delete(path);
        }
        return (chunks, frames);
    }

    /// <summary>Where the work folder of <paramref name="output"/> is (for messages).</summary>
    public static string PathFor(string output)
    {
        var full = System.IO.Path.GetFullPath(output);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.restormer");
    }

    private IEnumerable<string> ChunkFiles() =>
        Directory.EnumerateFiles(Path).Where(p => ChunkWriter.Parse(System.IO.Path.GetFileName(p)) is not null).ToList();

    /// <summary>Deletes the folder and everything in it (the output is complete).</summary>
    public void Delete()
    {
        lockFile.Dispose();
        Directory.Delete(Path, recursive: true);
    }

    public void Dispose() => lockFile.Dispose();
}

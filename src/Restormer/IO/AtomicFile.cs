namespace Restormer.IO;

/// <summary>
/// Writes files so that readers only ever see the old file or the complete new one: the content goes to a
/// hidden temporary file in the same folder (same file system, so the final rename is atomic) which is then
/// renamed over the destination. A crash or a full disk leaves at most a stray temporary file, never half an output.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="writeTemporary"/> with a temporary path that keeps the destination's extension (so
    /// encoders that pick the format from the name still work), then renames it to <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, Action<string> writeTemporary)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(full)}.partial-{Guid.NewGuid():N}{Path.GetExtension(full)}");
        try
        {
            writeTemporary(temp);
            if (!File.Exists(temp))
                throw new IOException($"Writing '{path}' produced no file.");
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="writeContent"/> to a stream for <paramref name="path"/> atomically, flushed to disk before the rename.</summary>
    public static void Write(string path, Action<Stream> writeContent) => Write(path, (string temp) =>
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        writeContent(stream);
        stream.Flush(flushToDisk: true);
    });

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using System.Security.Cryptography;
using Restormer.IO;

namespace Restormer.Downloads;

/// <summary>How a weights file compares with the SHA-256 recorded when it was downloaded.</summary>
public enum DigestState
{
    /// <summary>No digest was recorded (the file was not downloaded by <c>models fetch</c>).</summary>
    Unrecorded,
    /// <summary>The file is the one that was downloaded.</summary>
    Matches,
    /// <summary>The file's bytes differ from the downloaded ones (replaced, edited or damaged since).</summary>
    Changed,
}

/// <summary>
/// The SHA-256 of a downloaded weights file, kept beside it as <c>&lt;file&gt;.sha256</c> in <c>sha256sum</c>'s format
/// (so <c>sha256sum -c motion_deblurring.pth.sha256</c> checks it too), so later runs notice a changed file.
/// </summary>
public static class WeightsDigest
{
    /// <summary>The record's path for <paramref name="weightsPath"/>.</summary>
    public static string RecordPath(string weightsPath) => weightsPath + ".sha256";

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Compute(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Records <paramref name="sha256"/> as the digest of <paramref name="weightsPath"/> (written atomically).</summary>
    public static void Record(string weightsPath, string sha256) =>
        AtomicFile.Write(RecordPath(weightsPath), (Stream stream) =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write($"{sha256}  {Path.GetFileName(weightsPath)}\n");
        });

    /// <summary>The recorded digest, or null when there is none (or it is not a SHA-256).</summary>
    public static string? Recorded(string weightsPath)
    {
        var record = RecordPath(weightsPath);
        if (!File.Exists(record)) return null;
        var first = File.ReadLines(record).FirstOrDefault()?.Split(' ', 2)[0].Trim().ToLowerInvariant();
        return first is { Length: 64 } && first.All(Uri.IsHexDigit) ? first : null;
    }

    /// <summary>Hashes <paramref name="weightsPath"/> and compares it with the record; also returns the digest it computed.</summary>
    public static (DigestState State, string Actual, string? Recorded) Check(string weightsPath)
    {
        var actual = Compute(weightsPath);
        var recorded = Recorded(weightsPath);
        var state = recorded is null ? DigestState.Unrecorded : recorded == actual ? DigestState.Matches : DigestState.Changed;
        return (state, actual, recorded);
    }
}

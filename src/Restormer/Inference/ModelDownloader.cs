using System.Security.Cryptography;
using Restormer.IO;

namespace Restormer.Inference;

/// <summary>
/// Downloads a weights file into the model store: streamed to a temporary file, SHA-256 checked when a digest is
/// given, then renamed into place, so an interrupted or corrupted download never leaves a usable-looking file.
/// </summary>
public static class ModelDownloader
{
    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/>; progress reports (bytes so far, total or null).</summary>
    public static async Task<string> DownloadAsync(Uri url, string destination, string? expectedSha256 = null,
        IProgress<(long Done, long? Total)>? progress = null, HttpClient? client = null, CancellationToken cancellation = default)
    {
        var http = client ?? new HttpClient();
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
                throw new IOException($"Download of {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            long? total = response.Content.Headers.ContentLength;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            string digest = "";
            AtomicFile.Write(destination, (Stream file) =>
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                long done = 0;
                int read;
                while ((read = body.ReadAsync(buffer, cancellation).AsTask().GetAwaiter().GetResult()) > 0)
                {
                    file.Write(buffer, 0, read);
                    sha.AppendData(buffer, 0, read);
                    progress?.Report((done += read, total));
                }
                if (total is long expected && done != expected)
                    throw new IOException($"Download of {url} ended after {done} of {expected} bytes; try again.");
                digest = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (expectedSha256 is not null && !digest.Equals(expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"Download of {url} has SHA-256 {digest}, expected {expectedSha256}: the file was not saved. Check the URL or the digest.");
            });
            return digest;
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"Download of {url} failed: {e.Message}", e);
        }
        finally
        {
            if (client is null) http.Dispose();
        }
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

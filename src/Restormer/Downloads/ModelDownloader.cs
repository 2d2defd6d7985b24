using System.Net;
using System.Net.Http.Headers;

namespace Restormer.Downloads;

/// <summary>
/// Downloads a weights file so that nothing is replaced until the complete file passed every check. The bytes go to
/// <c>&lt;file&gt;.part</c> beside the destination; a transfer that breaks off, stalls or ends early is resumed from
/// there with an HTTP range request (within the call, up to <see cref="DownloadOptions.Retries"/> times, and by the
/// next call after a failure, Ctrl-C or a kill). Once complete, the file must have the expected size and SHA-256 when
/// given and pass <see cref="DownloadOptions.Verify"/>; then it is renamed over the destination and its SHA-256 recorded
/// (<see cref="WeightsDigest"/>). A file that is complete but wrong (a web page, another file) is deleted.
/// </summary>
public static class ModelDownloader
{
    const int BufferSize = 1 << 16;

    /// <summary>The resumable partial download of <paramref name="destination"/>.</summary>
    public static string PartialPath(string destination) => Path.GetFullPath(destination) + ".part";

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> and returns its SHA-256 (lower-case hex).</summary>
    /// <exception cref="IOException">The transfer failed (the message says whether the partial file was kept to resume).</exception>
    /// <exception cref="InvalidDataException">The server's file is not the one wanted (nothing was saved).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the partial file is kept to resume.</exception>
    public static async Task<string> DownloadAsync(Uri url, string destination, DownloadOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        options ??= new DownloadOptions();
        options.Validate();
        var full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var partial = PartialPath(full);
        using var http = new HttpClient(options.Handler ?? DefaultHandler(options), disposeHandler: options.Handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // stalls are timed per read instead: a 100 MB file may take long but keep moving
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Restormer.NET/0.1");
        try
        {
            await using (var file = OpenPartial(partial))
            {
                long resumedFrom = file.Length;
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        await TransferAsync(http, url, file, options, resumedFrom, progress, cancellation);
                        break;
                    }
                    catch (TransferInterruptedException) when (attempt < options.Retries)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(8, 0.5 * (1 << attempt))), cancellation);
                    }
                }
                file.Flush(flushToDisk: true);
            }
            var digest = CheckComplete(url, full, partial, options);
            File.Move(partial, full, overwrite: true);
            WeightsDigest.Record(full, digest);
            return digest;
        }
        catch (TransferInterruptedException e)
        {
            long kept = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (kept == 0) TryDelete(partial);
            throw new IOException(kept > 0
                ? $"{e.Message} The {Megabytes(kept)} received so far are kept in {partial}: run the same command again to resume."
                : e.Message, e);
        }
        catch (OperationCanceledException)
        {
            throw; // Ctrl-C or a signal: what was received stays in the .part file for the next run to resume
        }
        catch (Exception e) when (e is not FileLockedException)
        {
            TryDelete(partial); // complete but wrong, or refused by the server: nothing worth resuming
            throw;
        }
    }

    /// <summary>Every platform default except automatic decompression (ranges count bytes of the file as stored).</summary>
    static SocketsHttpHandler DefaultHandler(DownloadOptions options) => new()
    {
        ConnectTimeout = options.StallTimeout,
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>Opens (or creates) the partial file, exclusively, so two downloads of one file cannot interleave.</summary>
    static FileStream OpenPartial(string partial)
    {
        try
        {
            // Unbuffered: each received block reaches the file at once, so a killed process loses none of it.
            var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            file.Seek(0, SeekOrigin.End);
            return file;
        }
        catch (IOException e) when (File.Exists(partial))
        {
            throw new FileLockedException($"{partial} is in use by another download of the same file: wait for it to finish.", e);
        }
    }

    /// <summary>One request: from where the file ends now to the end, appended to <paramref name="file"/>.</summary>
    static async Task TransferAsync(HttpClient http, Uri url, FileStream file, DownloadOptions options, long resumedFrom,
        IProgress<DownloadProgress>? progress, CancellationToken cancellation)
    {
        long offset = file.Length;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stall.CancelAfter(options.StallTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw Stalled(url, options, offset, null);
        }
        catch (HttpRequestException e)
        {
            throw new TransferInterruptedException($"Download of {url} failed: {e.Message} (check the network connection, or the HTTPS_PROXY/HTTP_PROXY/NO_PROXY settings).", e);
        }
        catch (Exception e) when (e is UriFormatException or NotSupportedException)
        {
            // A redirect to file:, ftp: or a malformed address: HttpClient follows only http and https, and says so this way.
            throw new InvalidDataException($"{url} sent the download elsewhere than an http or https address ({e.Message.TrimEnd('.')}); nothing was saved: check the address.", e);
        }
        using (response)
        {
            long? total = ResponseTotal(url, response, file, offset);
            if (total is null && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                return; // the partial file already holds the whole file
            offset = file.Length;
            if (total is long announced && options.ExpectedSize is long expected && announced != expected)
                throw new InvalidDataException($"{url} is {announced:N0} bytes long, but {Path.GetFileName(url.LocalPath)} has {expected:N0}: nothing was saved. Check the address.");
            progress?.Report(new DownloadProgress(offset, total, resumedFrom));
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            var buffer = new byte[BufferSize];
            while (true)
            {
                stall.CancelAfter(options.StallTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, stall.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw Stalled(url, options, file.Length, total);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new TransferInterruptedException($"Download of {url} broke off after {Megabytes(file.Length)}{Of(total)} ({e.Message}).", e);
                }
                if (read == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                progress?.Report(new DownloadProgress(file.Length, total, resumedFrom));
            }
            if (total is long length && file.Length != length)
                throw new TransferInterruptedException($"Download of {url} ended after {file.Length:N0} of {length:N0} bytes.");
        }
    }

    /// <summary>
    /// Checks the status and how the answer fits the bytes already on disk; returns the file's full length when the
    /// server says it, or null for "already complete" (416 to a range that starts at the end).
    /// </summary>
    static long? ResponseTotal(Uri url, HttpResponseMessage response, FileStream file, long offset)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            if (response.Content.Headers.ContentRange?.Length == offset) return null;
            file.SetLength(0); // the partial is longer than the file now served: start again
            throw new TransferInterruptedException($"Download of {url}: the partial file does not fit the file served now; starting again.");
        }
        if (status is 408 or 429 or >= 500)
            throw new TransferInterruptedException($"Download of {url} failed: HTTP {status} {response.ReasonPhrase}.");
        if (!response.IsSuccessStatusCode)
            throw new IOException($"Download of {url} failed: HTTP {status} {response.ReasonPhrase}. Check the address.");
        if (response.Content.Headers.ContentType?.MediaType is "text/html" or "application/xhtml+xml")
            throw new InvalidDataException($"{url} answered with a web page (text/html), not a weights file: nothing was saved. Check the address (it must be the file's download link).");
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From == offset)
                return range.Length ?? (response.Content.Headers.ContentLength is long part ? offset + part : null);
            file.SetLength(0);
            throw new TransferInterruptedException($"Download of {url}: the server sent another range than asked for; starting again.");
        }
        if (offset > 0) file.SetLength(0); // a plain 200: the server ignores ranges, so the whole file comes again
        return response.Content.Headers.ContentLength;
    }

    static string CheckComplete(Uri url, string destination, string partial, DownloadOptions options)
    {
        long size = new FileInfo(partial).Length;
        if (options.ExpectedSize is long expected && size != expected)
            throw new InvalidDataException($"Download of {url} has {size:N0} bytes, but {Path.GetFileName(destination)} has {expected:N0}: nothing was saved. Check the address.");
        var digest = WeightsDigest.Compute(partial);
        if (options.ExpectedSha256 is { } sha && !digest.Equals(sha.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Download of {url} has SHA-256 {digest}, expected {sha.Trim()}: nothing was saved. Check the address or the digest.");
        if (LooksLikeWebPage(partial))
            throw new InvalidDataException($"{url} gave a web page (HTML), not a weights file: nothing was saved. Check the address (it must be the file's download link).");
        try
        {
            options.Verify?.Invoke(partial);
        }
        catch (Checkpoints.CheckpointException e)
        {
            throw new InvalidDataException($"Download of {url} refused, nothing was saved: {e.Message.Replace(partial, Path.GetFileName(destination))}", e);
        }
        return digest;
    }

    /// <summary>True when the file starts like an HTML document (a login or error page served with a wrong type).</summary>
    static bool LooksLikeWebPage(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[256];
        var text = System.Text.Encoding.ASCII.GetString(head, 0, stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)).TrimStart();
        return text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
    }

    static TransferInterruptedException Stalled(Uri url, DownloadOptions options, long done, long? total) =>
        new($"Download of {url} stalled: nothing received for {options.StallTimeout.TotalSeconds:0.#} s (at {Megabytes(done)}{Of(total)}).");

    static string Megabytes(long bytes) => $"{bytes / 1e6:F1} MB";

    static string Of(long? total) => total is long t ? $" of {Megabytes(t)}" : "";

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A transfer that broke off, stalled or ended early: worth resuming.</summary>
    sealed class TransferInterruptedException(string message, Exception? inner = null) : IOException(message, inner);

    /// <summary>Another process holds the partial file.</summary>
    sealed class FileLockedException(string message, Exception inner) : IOException(message, inner);
}

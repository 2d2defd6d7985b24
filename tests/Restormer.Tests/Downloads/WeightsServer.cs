using System.Collections.Concurrent;
using System.Net;

namespace Restormer.Tests.Downloads;

/// <summary>
/// A loopback HTTP server (127.0.0.1, a free port) that serves a weights file the ways servers fail: whole and with
/// range requests (<c>/ok.pth</c>), as a web page (<c>/page.html</c>, and HTML sent as a file at <c>/page.pth</c>),
/// cut off half-way on every request (<c>/truncated.pth</c>) or only the first (<c>/truncated-once.pth</c>), and
/// stalling after a few bytes (<c>/stall.pth</c>), and redirecting to a local file (<c>/redirect-file.pth</c>). Every
/// request's path and Range header is logged.
/// </summary>
public sealed class WeightsServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private int truncatedOnce;

    public WeightsServer(byte[] weights)
    {
        Weights = weights;
        BaseUrl = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        listener.Prefixes.Add(BaseUrl);
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public byte[] Weights { get; }
    public string BaseUrl { get; }

    /// <summary>Requests as "path range" (range empty when none), in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Completes when <c>/stall.pth</c> has sent its first bytes.</summary>
    public TaskCompletionSource StallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); } catch { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var (request, response) = (context.Request, context.Response);
        var range = request.Headers["Range"];
        Requests.Enqueue($"{request.Url!.AbsolutePath} {range}".TrimEnd());
        try
        {
            switch (request.Url.AbsolutePath)
            {
                case "/ok.pth":
                    await SendAsync(response, range, Weights.Length);
                    break;
                case "/truncated-once.pth":
                    await SendAsync(response, range, Interlocked.Exchange(ref truncatedOnce, 1) == 0 ? Weights.Length / 2 : Weights.Length);
                    break;
                case "/truncated.pth":
                    await SendAsync(response, range, Weights.Length / 2);
                    break;
                case "/stall.pth":
                    response.ContentType = "application/octet-stream";
                    response.ContentLength64 = Weights.Length;
                    await response.OutputStream.WriteAsync(Weights.AsMemory(0, 4096));
                    await response.OutputStream.FlushAsync();
                    StallStarted.TrySetResult();
                    await Task.Delay(Timeout.Infinite, stop.Token);
                    break;
                case "/page.html":
                case "/page.pth":
                    var page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n"u8.ToArray();
                    response.ContentType = request.Url.AbsolutePath.EndsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream";
                    response.ContentLength64 = page.Length;
                    await response.OutputStream.WriteAsync(page);
                    break;
                case "/redirect-file.pth":
                    response.StatusCode = 302;
                    response.RedirectLocation = "file:///etc/passwd";
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
            response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or IOException or ObjectDisposedException)
        {
            try { response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Sends the weights (or the asked range) with the full length announced, and cuts the connection after byte <paramref name="upTo"/>.</summary>
    private async Task SendAsync(HttpListenerResponse response, string? range, int upTo)
    {
        int from = 0;
        response.ContentType = "application/octet-stream";
        if (range is { } header && header.StartsWith("bytes=") && header.EndsWith('-'))
        {
            from = int.Parse(header[6..^1]);
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{Weights.Length - 1}/{Weights.Length}";
        }
        response.ContentLength64 = Weights.Length - from;
        if (upTo > from)
            await response.OutputStream.WriteAsync(Weights.AsMemory(from, upTo - from));
        if (upTo < Weights.Length)
        {
            await response.OutputStream.FlushAsync();
            throw new OperationCanceledException("cut off"); // answered by Abort: the connection drops mid-body, as a flaky network does
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
        stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Restormer.Tests.Downloads;

/// <summary>
/// A forward HTTP proxy on 127.0.0.1 that answers every request itself with <paramref name="body"/>, as a caching proxy
/// would, and logs the request lines: a client that uses it sends <c>GET http://host/path HTTP/1.1</c> here, so the
/// origin host never needs to exist.
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly byte[] body;

    public LoopbackProxy(byte[] body)
    {
        this.body = body;
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        _ = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<string> RequestLines { get; } = new();

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(); } catch { return; }
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n") && await stream.ReadAsync(one) == 1)
                header.Append((char)one[0]);
            RequestLines.Enqueue(header.ToString().Split("\r\n")[0]);
            var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body);
        }
    }

    public void Dispose() => listener.Stop();
}

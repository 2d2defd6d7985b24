using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Restormer.Inference;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Serve;

/// <summary>
/// The <c>serve</c> process from start to end, as a user runs it: Ctrl-C or SIGTERM stops it cleanly, and what a
/// killed server leaves (its folder, with ASP.NET's upload buffers inside) is removed by the next server to start.
/// </summary>
public sealed class ServeLifecycleTests : IDisposable
{
    private readonly string temp = TestPaths.NewTempDir("serve-life-temp");
    private readonly string models = TestPaths.NewTempDir("serve-life-models");

    public ServeLifecycleTests() =>
        File.Copy(ServeTestServer.TinyWeights, Path.Combine(models, RestorationTask.MotionDeblurring.WeightsFileName));

    public void Dispose()
    {
        Directory.Delete(temp, recursive: true);
        Directory.Delete(models, recursive: true);
    }

    /// <summary>
    /// The server as a child process whose temporary folder (TMPDIR) is this test's, without the .NET runtime's
    /// debugger and diagnostics pipes there (a killed .NET process leaves those, whatever it runs).
    /// </summary>
    private (CliProcess Cli, Uri Address) StartServer()
    {
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp, ["DOTNET_EnableDiagnostics"] = "0" };
        var cli = CliProcess.Start(environment, "serve", "--port", "0", "--weights-dir", models);
        cli.WaitForOutput("Restormer page:", TimeSpan.FromSeconds(60));
        var address = Regex.Match(cli.Out, @"Restormer page: (\S+)").Groups[1].Value;
        return (cli, new Uri(address));
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    public void SignalStopsTheServerWhichDeletesItsFolder(PosixSignal signal)
    {
        var (cli, _) = StartServer();
        using (cli)
        {
            Assert.Single(Directory.GetDirectories(temp, "restormer-serve-*"));
            cli.Signal(signal);
            Assert.Equal(0, cli.WaitForExit(TimeSpan.FromSeconds(20)));
            Assert.Contains("Stopped; temporary files deleted.", cli.Out);
            Assert.DoesNotContain("Unhandled exception", cli.Err);
            Assert.Empty(Directory.GetFileSystemEntries(temp));
        }
    }

    [Fact]
    public async Task KilledServerMidUploadLeavesNoUploadBufferAndTheNextServerRemovesItsFolder()
    {
        var (cli, address) = StartServer();
        using (cli)
        using (var client = new TcpClient())
        {
            // An upload that stops half-way: uploads are buffered in memory, so no ASPNETCORE_*.tmp file appears.
            await client.ConnectAsync(address.Host, address.Port);
            var stream = client.GetStream();
            const string boundary = "restormer-test-boundary";
            var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n";
            int fileBytes = 4 << 20;
            long length = Encoding.ASCII.GetByteCount(head) + fileBytes + Encoding.ASCII.GetByteCount($"\r\n--{boundary}--\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /api/jobs HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{head}"));
            await stream.WriteAsync(new byte[1 << 20]);
            await stream.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));

            Assert.Empty(Directory.GetFiles(temp, "ASPNETCORE_*", SearchOption.AllDirectories));
            var serverFolder = Assert.Single(Directory.GetDirectories(temp));
            Assert.StartsWith($"restormer-serve-{cli.Id}-", Path.GetFileName(serverFolder));
            cli.Kill();
            Assert.True(Directory.Exists(serverFolder), "the killed server's folder is the leftover this test is about");
        }

        await using (var next = await ServeTestServer.StartAsync(tempParent: temp))
            Assert.Equal([next.Server.Work.Path], Directory.GetFileSystemEntries(temp));
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }
}

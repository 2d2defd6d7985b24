using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Restormer.Cli.Commands;

namespace Restormer.Tests.Cli;

public sealed class ModelsCommandTests : IDisposable
{
    private readonly HttpListener server = new();
    private readonly byte[] payload = RandomNumberGenerator.GetBytes(300_000);
    private readonly string baseUrl;

    public ModelsCommandTests()
    {
        int port = LoopbackPort.Free();
        baseUrl = $"http://127.0.0.1:{port}/";
        server.Prefixes.Add(baseUrl);
        server.Start();
        _ = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (server.IsListening)
        {
            HttpListenerContext context;
            try { context = await server.GetContextAsync(); } catch { return; }
            if (context.Request.Url!.AbsolutePath == "/weights.pth")
            {
                context.Response.ContentLength64 = payload.Length;
                await context.Response.OutputStream.WriteAsync(payload);
            }
            else context.Response.StatusCode = 404;
            context.Response.Close();
        }
    }

    [Fact]
    public void FetchDownloadsVerifiesAndListsTheFile()
    {
        var dir = TestPaths.NewTempDir();
        var sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        var fetch = CliRunner.Run(ModelsCommand.Create(), "fetch", "deraining", "--url", baseUrl + "weights.pth", "--sha256", sha, "--models-dir", dir);
        Assert.True(fetch.ExitCode == 0, fetch.Err);
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(dir, "deraining.pth")));

        var list = CliRunner.Run(ModelsCommand.Create(), "--models-dir", dir);
        Assert.Equal(0, list.ExitCode);
        var line = list.Out.Split('\n').Single(l => l.StartsWith("deraining "));
        Assert.Contains(sha, line);
        Assert.Contains("missing", list.Out.Split('\n').Single(l => l.StartsWith("real_denoising ")));
    }

    [Fact]
    public void AWrongDigestKeepsNothing()
    {
        var dir = TestPaths.NewTempDir();
        var fetch = CliRunner.Run(ModelsCommand.Create(), "fetch", "deraining", "--url", baseUrl + "weights.pth", "--sha256", new string('0', 64), "--models-dir", dir);
        Assert.Equal(2, fetch.ExitCode);
        Assert.Contains("SHA-256", fetch.Err);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void AMissingUrlIsAClearError()
    {
        var dir = TestPaths.NewTempDir();
        var fetch = CliRunner.Run(ModelsCommand.Create(), "fetch", "deraining", "--url", baseUrl + "nothing.pth", "--models-dir", dir);
        Assert.Equal(2, fetch.ExitCode);
        Assert.Contains("HTTP 404", fetch.Err);
        Assert.Empty(Directory.GetFiles(dir));
    }

    public void Dispose() => server.Close();
}

public class NewModelCommandTests
{
    [Fact]
    public void WritesACheckpointWhoseArchitectureReadsBack()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "small.pth");
        var result = CliRunner.Run(NewModelCommand.Create(), "--output", path, "--dim", "8", "--blocks", "1,1,2,1", "--refinement", "1", "--layernorm", "BiasFree");
        Assert.True(result.ExitCode == 0, result.Err);
        using var model = Restormer.Model.RestormerNet.FromCheckpoint(path);
        Assert.Equal(new[] { 1, 1, 2, 1 }, model.Config.NumBlocks);
        Assert.Equal(Restormer.Model.LayerNormType.BiasFree, model.Config.LayerNormType);
    }

    [Fact]
    public void BadBlockCountsAreAClearError()
    {
        var result = CliRunner.Run(NewModelCommand.Create(), "--output", Path.Combine(TestPaths.NewTempDir(), "x.pth"), "--blocks", "4,6");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--blocks", result.Err);
    }
}

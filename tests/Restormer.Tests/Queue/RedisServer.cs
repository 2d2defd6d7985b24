using System.Diagnostics;
using System.Net.Sockets;

namespace Restormer.Tests.Queue;

/// <summary>
/// A real <c>redis-server</c> (Debian's package) on a free loopback port with its own temporary folder, optionally with
/// append-only persistence; <see cref="Restart"/> kills it with SIGKILL and starts it again on the same port and data.
/// Disposing kills it and deletes the folder. Tests call <see cref="SkipIfMissing"/> first.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly bool appendOnly;
    private Process process;

    public int Port { get; }
    public string Folder { get; }
    public string Url => $"redis://127.0.0.1:{Port}/0";

    /// <summary>Skips the calling [SkippableFact] through xunit, with the package to install, when there is no redis-server.</summary>
    public static void SkipIfMissing() =>
        Skip.IfNot(File.Exists(Executable), $"Queue test not run: needs {Executable} (apt-get install redis-server; setup.sh installs it).");

    public RedisServer(bool appendOnly = false)
    {
        this.appendOnly = appendOnly;
        Folder = TestPaths.NewTempDir("redis");
        Port = LoopbackPort.Free();
        process = Start();
    }

    /// <summary>Kills the server without warning (SIGKILL) and starts it again from its files.</summary>
    public void Restart()
    {
        process.Kill();
        process.WaitForExit();
        process.Dispose();
        process = Start();
    }

    private Process Start()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", Folder, "--save", "", "--appendonly", appendOnly ? "yes" : "no" })
            info.ArgumentList.Add(arg);
        var started = Process.Start(info)!;
        started.OutputDataReceived += (_, _) => { };
        started.ErrorDataReceived += (_, _) => { };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        WaitUntilReady(started);
        return started;
    }

    private void WaitUntilReady(Process started)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (started.HasExited) throw new InvalidOperationException($"redis-server exited with {started.ExitCode} on port {Port}.");
            try
            {
                using var client = new TcpClient("127.0.0.1", Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[64];
                int read = stream.Read(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG")) return;
            }
            catch (SocketException) { }
            catch (IOException) { }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"redis-server did not answer on port {Port} within 20 s.");
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
        }
        finally
        {
            process.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }
}

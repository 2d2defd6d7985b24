using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Restormer.Tests.Downloads;

/// <summary>
/// Runs the CLI as its own process (the build's Restormer.Cli.dll), for what an in-process run cannot show: the
/// environment's proxy variables (read once per process) and signals.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stdout, stderr;

    private CliProcess(Process process)
    {
        this.process = process;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => process.Id;

    /// <summary>Starts <c>restormer args…</c> with the given variables set (null removes one); proxies are cleared unless given.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in new[] { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the exit (killing the process after <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public (int ExitCode, string Out, string Err) Wait(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"The CLI did not finish within {timeout.TotalSeconds} s. Output: {stdout.Result} {stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Sends a POSIX signal (SIGINT 2, SIGTERM 15, SIGKILL 9).</summary>
    public void Signal(int signal)
    {
        if (kill(process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed.");
    }

    /// <summary>
    /// True when the process ignores <paramref name="signal"/> (bit signal−1 of SigIgn in /proc/PID/status). A job that a
    /// non-interactive shell starts in the background inherits SIGINT ignored, and .NET then leaves it ignored.
    /// </summary>
    public bool Ignores(int signal)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) >> (signal - 1) & 1) == 1;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}

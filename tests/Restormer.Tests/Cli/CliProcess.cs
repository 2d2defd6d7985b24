using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Restormer.Tests.Cli;

/// <summary>
/// The CLI as a separate process, as a shell starts it, for what only a process shows: signals, exit codes, and what a
/// killed run leaves behind. Its output is collected as it comes. Dispose kills it if it still runs.
/// </summary>
public sealed partial class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();

    private CliProcess(Process process) => this.process = process;

    /// <summary>Starts <c>dotnet Restormer.Cli.dll args…</c> with extra <paramref name="environment"/> variables.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // A test run started in the background of a shell ignores SIGINT, and children inherit that; a user's
        // terminal does not: env restores the default disposition.
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll") }.Concat(args))
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = new Process { StartInfo = start };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(cli.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(cli.stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    public int Id => process.Id;
    public string Out { get { lock (stdout) return stdout.ToString(); } }
    public string Err { get { lock (stderr) return stderr.ToString(); } }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null) return;
        lock (to) to.AppendLine(line);
    }

    /// <summary>Waits until the standard output contains <paramref name="text"/>; fails the test if the process exits or time runs out first.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Out.Contains(text))
        {
            Assert.False(process.HasExited, $"exited with {(process.HasExited ? process.ExitCode : 0)} before printing '{text}'.\nstdout:\n{Out}\nstderr:\n{Err}");
            Assert.True(DateTime.UtcNow < deadline, $"no '{text}' after {timeout.TotalSeconds} s.\nstdout:\n{Out}\nstderr:\n{Err}");
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (SIGINT, SIGTERM, SIGKILL…) as <c>kill -SIG pid</c> does; a process that has
    /// already ended (a first signal may stop it before a second is sent) is not an error.
    /// </summary>
    public void Signal(PosixSignal signal)
    {
        int number = signal switch
        {
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentOutOfRangeException(nameof(signal), "SIGINT or SIGTERM; use Kill for SIGKILL."),
        };
        if (SendSignal(process.Id, number) != 0)
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(5)), $"kill -{number} {process.Id} failed while the process runs");
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to clean up.</summary>
    public void Kill()
    {
        process.Kill();
        process.WaitForExit();
    }

    /// <summary>Waits for the exit and returns its code (128 + the signal's number when a signal ended it).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(process.WaitForExit(timeout), $"still running after {timeout.TotalSeconds} s.\nstdout:\n{Out}\nstderr:\n{Err}");
        process.WaitForExit(); // the output is complete
        return process.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}

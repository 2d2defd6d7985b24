using System.Diagnostics;
using System.Text;

namespace Restormer.Tests.Queue;

/// <summary>The real CLI (<c>Restormer.Cli.dll</c> from the test's output folder) as a child process, its output collected.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    /// <summary>Starts the CLI with <paramref name="args"/>; its temporary files go to <paramref name="tempFolder"/> (the test deletes it, also after a kill).</summary>
    public CliProcess(string tempFolder, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["TMPDIR"] = Directory.CreateDirectory(tempFolder).FullName;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The allocator the ./restormer launcher preloads, when present (libtorch is several times slower without it).
        const string tcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";
        if (File.Exists(tcmalloc)) info.Environment["LD_PRELOAD"] = tcmalloc;
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    /// <summary>Everything it printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <summary>Whether it has ended (by itself or killed).</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Kills it without warning, as a crash or the OOM killer would.</summary>
    public void KillHard()
    {
        process.Kill();
        process.WaitForExit();
    }

    /// <summary>Waits for it to exit and returns the exit code; fails the test after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(process.WaitForExit(timeout), $"The CLI did not finish within {timeout.TotalSeconds} s. Output:\n{Output}");
        process.WaitForExit(); // drains the output
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
        process.Dispose();
    }
}

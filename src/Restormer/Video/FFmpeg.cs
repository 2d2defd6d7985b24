using System.Diagnostics;

namespace Restormer.Video;

/// <summary>
/// The <c>ffmpeg</c> and <c>ffprobe</c> programs (Debian's package, which <c>setup.sh</c> installs), run as child
/// processes: every codec and container is theirs, none is written here. Children run in their own session
/// (<c>setsid</c>) so that Ctrl-C reaches only this process, which then stops them in order and keeps every frame
/// already restored; a child left behind by a killed parent ends on its broken pipe.
/// </summary>
public static class FFmpeg
{
    /// <summary>Where the programs are looked for first; <c>RESTORMER_FFMPEG_DIR</c> overrides it (a static build elsewhere).</summary>
    public static string Folder => Environment.GetEnvironmentVariable("RESTORMER_FFMPEG_DIR") is { Length: > 0 } dir ? dir : "/usr/bin";

    private const string Setsid = "/usr/bin/setsid";

    /// <summary>The path of <paramref name="program"/> (ffmpeg or ffprobe); throws naming the fix when it is not installed.</summary>
    public static string Find(string program)
    {
        var path = Path.Combine(Folder, program);
        if (File.Exists(path)) return path;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, program))) return Path.Combine(dir, program);
        throw new NotSupportedException($"Videos need FFmpeg, and '{program}' is not installed: run ./setup.sh (or 'sudo apt-get install ffmpeg').");
    }

    /// <summary>
    /// <paramref name="path"/> as FFmpeg must be given it: with the <c>file:</c> protocol, or a name such as
    /// <c>concat:a.mp4</c> or <c>http:x.mp4</c> would be opened as another protocol.
    /// </summary>
    public static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Whether both programs are installed.</summary>
    public static bool IsInstalled
    {
        get
        {
            try { Find("ffmpeg"); Find("ffprobe"); return true; }
            catch (NotSupportedException) { return false; }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="arguments"/>, standard output and input as pipes when
    /// asked; standard error is collected for <see cref="Child.Failure"/>.
    /// </summary>
    public static Child Start(string program, IEnumerable<string> arguments, bool readOutput = false, bool writeInput = false)
    {
        var executable = Find(program);
        var info = new ProcessStartInfo(File.Exists(Setsid) ? Setsid : executable)
        {
            RedirectStandardOutput = readOutput,
            RedirectStandardInput = writeInput,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (File.Exists(Setsid)) info.ArgumentList.Add(executable);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return new Child(Process.Start(info) ?? throw new IOException($"Could not start {executable}."));
    }

    /// <summary>Runs <paramref name="program"/> to its end and returns its standard output; throws <see cref="IOException"/> with its error when it fails.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string what, CancellationToken cancellation = default)
    {
        using var child = Start(program, arguments, readOutput: true);
        var output = child.Process.StandardOutput.ReadToEndAsync(cancellation);
        child.WaitForExit(cancellation);
        if (child.Process.ExitCode != 0) throw new IOException($"{what}: {child.Failure}");
        return output.GetAwaiter().GetResult();
    }

    /// <summary>A running child: its process and the last lines of its standard error.</summary>
    public sealed class Child : IDisposable
    {
        private readonly Queue<string> errors = new();

        public Process Process { get; }

        internal Child(Process process)
        {
            Process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not { Length: > 0 } line) return;
                lock (errors)
                {
                    errors.Enqueue(line.Trim());
                    if (errors.Count > 5) errors.Dequeue();
                }
            };
            process.BeginErrorReadLine();
        }

        /// <summary>What went wrong, as FFmpeg said it (its last error line), or the exit code.</summary>
        public string Failure
        {
            get
            {
                lock (errors)
                    return errors.Count > 0 ? $"FFmpeg says '{errors.Last()}'" : $"FFmpeg stopped with exit code {Process.ExitCode}";
            }
        }

        /// <summary>Waits for the end; on cancellation kills the child first, then throws.</summary>
        public void WaitForExit(CancellationToken cancellation = default)
        {
            try { Process.WaitForExitAsync(cancellation).GetAwaiter().GetResult(); }
            catch (OperationCanceledException)
            {
                Kill();
                throw;
            }
            Process.WaitForExit(); // lets the standard error reader finish
        }

        public void Kill()
        {
            try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }

        public void Dispose()
        {
            Kill();
            Process.Dispose();
        }
    }
}

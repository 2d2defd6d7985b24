using System.Runtime.CompilerServices;

namespace Restormer.Tests;

/// <summary>
/// Locates the repository root and the read-only <c>../shared</c> data folder beside it, and owns the run's temporary
/// folder: every temporary file of the suite (the tests' own folders, the servers' work folders, ASP.NET Core's upload
/// buffers, browser profiles) goes under one folder per test process, deleted when the run ends
/// (<see cref="RunTempFramework"/>, and at process exit); folders of earlier runs that were killed are deleted when
/// the next run starts.
/// </summary>
public static class TestPaths
{
    const string RunPrefix = "restormer-tests-";

    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
    public static string Parity => Path.Combine(Shared, "fixtures", "parity");
    public static string Metrics => Path.Combine(Shared, "fixtures", "metrics");

    /// <summary>This test process's temporary folder (also its TMPDIR, so libraries' temporary files land there too).</summary>
    public static string RunTemp { get; private set; } = "";

    /// <summary>
    /// Runs when the test assembly loads, before any test: points TMPDIR (what <see cref="Path.GetTempPath"/> and child
    /// processes use) at a fresh per-process folder and arranges its deletion at exit.
    /// </summary>
    [ModuleInitializer]
    internal static void CreateRunTemp()
    {
        var system = Path.GetTempPath();
        DeleteAbandonedRuns(system);
        RunTemp = Path.Combine(system, $"{RunPrefix}{Environment.ProcessId}");
        Directory.CreateDirectory(RunTemp);
        Environment.SetEnvironmentVariable("TMPDIR", RunTemp);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(RunTemp);
    }

    /// <summary>A fresh empty folder under the run's temporary folder, unique per call.</summary>
    public static string NewTempDir(string prefix = "restormer-test")
    {
        var dir = Path.Combine(RunTemp, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A fresh folder deleted (with everything in it) when disposed.</summary>
    public static TempFolder NewTempFolder(string prefix = "restormer-test") => new(NewTempDir(prefix));

    /// <summary>
    /// Deletes a folder tree entry by entry, so one entry still in use (a browser finishing its profile) does not keep
    /// the rest; tried twice, errors ignored (best effort).
    /// </summary>
    public static void TryDelete(string dir)
    {
        for (int attempt = 0; attempt < 2 && Directory.Exists(dir); attempt++)
        {
            if (attempt > 0) Thread.Sleep(500);
            try
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir).ToList())
                    try
                    {
                        if (new DirectoryInfo(entry) is { Exists: true, LinkTarget: null }) Directory.Delete(entry, recursive: true);
                        else File.Delete(entry); // files, FIFOs, and links (never followed)
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Run folders whose process no longer exists (a killed or crashed test run).</summary>
    static void DeleteAbandonedRuns(string system)
    {
        foreach (var dir in Directory.EnumerateDirectories(system, RunPrefix + "*"))
            if (int.TryParse(Path.GetFileName(dir)[RunPrefix.Length..], out var pid) && !Directory.Exists($"/proc/{pid}"))
                TryDelete(dir);
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Restormer.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (Restormer.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder that deletes itself: <c>using var dir = TestPaths.NewTempFolder();</c>.</summary>
public sealed class TempFolder(string path) : IDisposable
{
    public string Path { get; } = path;

    /// <summary>A path inside the folder.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose() => TestPaths.TryDelete(Path);
}

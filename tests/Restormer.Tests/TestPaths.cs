namespace Restormer.Tests;

/// <summary>Locates the repository root and the read-only <c>../shared</c> data folder beside it.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
    public static string Parity => Path.Combine(Shared, "fixtures", "parity");
    public static string Metrics => Path.Combine(Shared, "fixtures", "metrics");

    /// <summary>A fresh empty folder under the system temp folder, unique per call.</summary>
    public static string NewTempDir(string prefix = "restormer-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Restormer.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (Restormer.slnx) above " + AppContext.BaseDirectory);
    }
}

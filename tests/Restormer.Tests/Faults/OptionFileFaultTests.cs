using System.Diagnostics;
using System.Text;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Faults;

/// <summary>
/// Hostile option files for <c>train --opt</c> and <c>degrade --options</c>: an alias bomb, deep nesting, a huge file,
/// a FIFO. Each is one line and exit 2, fast and with little memory.
/// </summary>
public class OptionFileFaultTests
{
    /// <summary>Nine levels of nine aliases each: 9⁹ (387 million) values once expanded, in 600 bytes.</summary>
    static string AliasBomb()
    {
        var yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char level = 'b'; level <= 'i'; level++)
            yaml.Append($"{level}: &{level} [{string.Join(",", Enumerable.Repeat($"*{(char)(level - 1)}", 9))}]\n");
        return yaml.Append("name: bomb\n").ToString();
    }

    public static TheoryData<string, string> Files => new()
    {
        { "bomb", "more than 100,000 values once aliases" },
        { "deep", "nested more than 64 levels" },
        { "huge", "over the 262,144 an option file may have" },
        { "fifo", "FIFO" },
    };

    static string Make(TempFolder dir, string kind)
    {
        var path = dir[kind + ".yml"];
        switch (kind)
        {
            case "bomb": File.WriteAllText(path, AliasBomb()); break;
            case "deep": File.WriteAllText(path, "x: " + new string('[', 5000) + new string(']', 5000) + "\n"); break;
            case "huge": File.WriteAllText(path, "name: huge\n" + string.Concat(Enumerable.Range(0, 60_000).Select(i => $"key_{i}: {i}\n"))); break;
            case "fifo": Assert.True(FaultFiles.MakeFifo(path)); break;
        }
        return path;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TrainAndDegradeRefuseTheFileInOneLineQuickly(string kind, string phrase)
    {
        using var dir = TestPaths.NewTempFolder("faults-yaml");
        var path = Make(dir, kind);
        var runs = new[]
        {
            () => CliRunner.Run(TrainCommand.Create(), "--opt", path, "--experiments-dir", dir["experiments"]),
            () => CliRunner.Run(DegradeCommand.Create(), "--input", dir.Path, "--output", dir["pairs"], "--options", path),
        };
        foreach (var run in runs)
        {
            var watch = Stopwatch.StartNew();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var result = run();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.Equal(2, result.ExitCode);
            var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, result.Err);
            Assert.Contains(phrase, lines[0]);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{kind}: {watch.Elapsed}");
            Assert.True(allocated < 256L << 20, $"{kind}: {allocated >> 20} MiB allocated");
        }
        Assert.False(Directory.Exists(dir["experiments"]) || Directory.Exists(dir["pairs"]));
    }
}

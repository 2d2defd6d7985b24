using Restormer.Cli.Commands;
using Restormer.IO;
using Restormer.Queue;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Queue;

public class ShardTests
{
    /// <summary>Inputs as a folder yields them: paths under <paramref name="root"/>, some in a sub-folder.</summary>
    private static List<InputFile> Items(string root, int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => Path.Combine(root, i % 3 == 0 ? "sub" : "", $"frame_{i:D5}.png"))
            .Select(path => new InputFile(path, Path.GetRelativePath(root, path)) { Folder = root }),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    public void TheShardsCoverEveryInputExactlyOnce(int count)
    {
        var items = Items("/data/frames", 500);
        var parts = Enumerable.Range(0, count).Select(k => items.Where(new Shard(k, count).Holds).ToList()).ToList();
        var all = parts.SelectMany(p => p).ToList();
        Assert.Equal(items.Count, all.Count);
        Assert.Equal(items.ToHashSet(), all.ToHashSet());
        // A hash split: every part gets a share near 500/N (binomial spread), none is empty.
        Assert.All(parts, p => Assert.InRange(p.Count, 500 / count / 3, 500 / count * 2));
    }

    [Fact]
    public void APartDependsOnThePathRelativeToTheInputFolderNotOnListOrderOrMachine()
    {
        var here = Items("/data/frames", 200);
        var elsewhere = Items("/mnt/other/copy", 200);
        var shuffled = here.OrderBy(i => i.Path.GetHashCode()).ToList();
        var shard = new Shard(2, 5);
        var names = (IEnumerable<InputFile> items) => items.Where(shard.Holds).Select(i => Path.GetFileName(i.Path)).Order().ToList();
        Assert.Equal(names(here), names(shuffled));
        Assert.Equal(names(here), names(elsewhere));
        // Adding inputs does not move the others.
        var more = Items("/data/frames", 300);
        Assert.Equal(names(here), names(more).Where(n => names(here).Contains(n)));
    }

    [Theory]
    [InlineData("1/1")]
    [InlineData("3/3")]
    [InlineData("-1/4")]
    [InlineData("2")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void MalformedShardsAreRefusedWithTheExpectedForm(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => Shard.Parse(text));
        Assert.Contains("K/N with 0 <= K < N", e.Message);
    }

    [Fact]
    public void ShardRunsTogetherRestoreAFolderAndSkipExistingResumesOnlyWhatIsMissing()
    {
        var root = TestPaths.NewTempDir("shard-cli");
        try
        {
            var input = Path.Combine(root, "in");
            var output = Path.Combine(root, "out");
            QueueImages.Write(input, 6, new OpenCvSharp.Size(24, 16));
            int restored = 0;
            foreach (var k in new[] { 0, 1 })
            {
                var run = CliRunner.Run(RestoreCommand.Create(), "--weights", QueueImages.TinyWeights, "-i", input, "-o", output, "--shard", $"{k}/2");
                Assert.True(run.ExitCode == 0, run.Err + run.Out);
                Assert.Contains($"Shard {k}/2: ", run.Out);
                restored += run.Out.Split('\n').Count(l => l.StartsWith("ok "));
            }
            Assert.Equal(6, restored);
            Assert.Equal(6, Directory.GetFiles(output).Length);

            // A crash lost one output: the rerun restores that one only.
            var lost = Directory.GetFiles(output).Order().First();
            File.Delete(lost);
            var resumed = CliRunner.Run(RestoreCommand.Create(), "--weights", QueueImages.TinyWeights, "-i", input, "-o", output, "--skip-existing");
            Assert.True(resumed.ExitCode == 0, resumed.Err + resumed.Out);
            Assert.Equal(5, resumed.Out.Split('\n').Count(l => l.StartsWith("skip ")));
            Assert.Contains("1 of 6 image(s) restored", resumed.Out);
            Assert.Contains("5 skipped (output exists)", resumed.Out);
            Assert.True(File.Exists(lost));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

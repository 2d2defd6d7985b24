using System.Text.Json;
using Restormer.Cli.Commands;
using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Tests.Cli;

/// <summary>The bench command end to end on a tiny model (no timing assertions: the machine may be busy).</summary>
public class BenchCommandTests
{

    [Fact]
    public void WritesOneResultPerSizeAndPrecision()
    {
        var json = Path.Combine(TestPaths.NewTempDir(), "bench.json");
        var result = CliRunner.Run(BenchCommand.Create(), "--sizes", "32x32,40x24", "--precision", "fp32,bf16", "--repeat", "1", "--warmup", "0",
            "--dim", "8", "--blocks", "1,1,1,1", "--refinement", "1", "--json", json);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("GFLOP/s", result.Out); // the table
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var results = report.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["32x32 fp32", "40x24 fp32", "32x32 bf16", "40x24 bf16"],
            results.Select(r => $"{r.GetProperty("width").GetInt32()}x{r.GetProperty("height").GetInt32()} {r.GetProperty("precision").GetString()}"));
        var config = new RestormerConfig { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1 };
        // 40×24 is padded to 40×24 (already multiples of 8); MACs follow the padded size.
        Assert.Equal(ModelCost.MultiplyAccumulates(config, 24, 40) / 1e9, results[1].GetProperty("giga_macs").GetDouble(), 1e-9);
        foreach (var r in results)
        {
            Assert.True(r.GetProperty("median_seconds").GetDouble() > 0);
            Assert.True(r.GetProperty("achieved_gflops").GetDouble() > 0);
            Assert.Equal(1, r.GetProperty("tiles").GetInt32());
        }
        Assert.True(report.RootElement.GetProperty("gemm_gflops_fp32").GetDouble() > 0);
    }

    [Fact]
    public void WithWeightsReportsTheLoadAndTheWaitForTheFirstImage()
    {
        var json = Path.Combine(TestPaths.NewTempDir(), "bench.json");
        var result = CliRunner.Run(BenchCommand.Create(), "--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"),
            "--sizes", "32x32", "--repeat", "2", "--warmup", "1", "--json", json);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("checkpoint loaded in", result.Out);
        Assert.Contains("process start to first image", result.Out);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        double load = report.RootElement.GetProperty("load_seconds").GetDouble();
        double startToFirst = report.RootElement.GetProperty("start_to_first_image_seconds").GetDouble();
        double first = report.RootElement.GetProperty("results")[0].GetProperty("first_seconds").GetDouble();
        Assert.True(load > 0);
        // The first image ends after the load and the first run, both counted from the (test) process's start.
        Assert.True(startToFirst > load + first, $"start to first image {startToFirst} s, load {load} s, first run {first} s");
    }

    [Fact]
    public void RandomWeightsHaveNoLoadTime()
    {
        var json = Path.Combine(TestPaths.NewTempDir(), "bench.json");
        var result = CliRunner.Run(BenchCommand.Create(), "--sizes", "16x16", "--repeat", "1", "--warmup", "0",
            "--dim", "8", "--blocks", "1,1,1,1", "--refinement", "1", "--json", json);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("checkpoint loaded", result.Out);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(report.RootElement.TryGetProperty("load_seconds", out _)); // null values are left out
    }

    [Theory]
    [InlineData("--sizes", "256by256", "--sizes")]
    [InlineData("--precision", "fp16", "fp16")]
    [InlineData("--blocks", "4,x", "--blocks")]
    public void BadOptionsAreErrorsNamingThem(string option, string value, string named)
    {
        var result = CliRunner.Run(BenchCommand.Create(), option, value, "--repeat", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Err);
        Assert.Contains(named, result.Err);
    }
}

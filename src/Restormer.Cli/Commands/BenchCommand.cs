using System.CommandLine;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Cli.Commands;

/// <summary><c>bench</c>: measures restore speed and memory on this machine (random weights unless --weights is given).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Image sizes WIDTHxHEIGHT, comma-separated.", DefaultValueFactory = _ => "256x256" };
        var precisions = new Option<string>("--precision") { Description = "Precisions to measure, comma-separated: fp32, bf16, auto.", DefaultValueFactory = _ => "fp32" };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per size and precision (the median is reported).", DefaultValueFactory = _ => 5 }.Within(1, 1000);
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before timing.", DefaultValueFactory = _ => 1 }.Within(0, 100);
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file." };
        var weights = new Option<string?>("--weights", "-w") { Description = "Benchmark this checkpoint's architecture and weights instead of random ones." };
        var dim = new Option<int>("--dim") { Description = "Model width for random weights.", DefaultValueFactory = _ => 48 }.Within(1, 1024);
        var blocks = new Option<string>("--blocks") { Description = "Transformer blocks per level for random weights.", DefaultValueFactory = _ => "4,6,6,8" };
        var refinement = new Option<int>("--refinement") { Description = "Refinement blocks for random weights.", DefaultValueFactory = _ => 4 }.Within(0, 64);
        var heads = new Option<string>("--heads") { Description = "Attention heads per level for random weights.", DefaultValueFactory = _ => "1,2,4,8" };
        var common = new InferenceOptions();
        var command = new Command("bench", "Measure restore speed (median seconds, megapixels/s, GFLOP/s against the machine's GEMM peak) and peak memory.")
        {
            sizes, precisions, repeat, warmup, json, weights, dim, blocks, refinement, heads,
        };
        common.AddTo(command, withPrecisionAndEnsemble: false);
        command.SetAction(parse => Cli.Run(parse, cli =>
        {
            var restore = common.Read(parse);
            var options = new BenchmarkOptions
            {
                Sizes = ParseSizes(parse.GetValue(sizes)!, restore.MaxPixels ?? ImageLimits.MaxPixels),
                Precisions = parse.GetValue(precisions)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(PrecisionExtensions.Parse).ToList(),
                Repeat = parse.GetValue(repeat),
                Warmup = parse.GetValue(warmup),
                Restore = restore,
            };
            BenchmarkReport report;
            if (parse.GetValue(weights) is { } path)
                report = Benchmark.Run(path, options, cli.Info);
            else
            {
                using var model = new RestormerNet(new RestormerConfig
                {
                    Dim = parse.GetValue(dim),
                    NumBlocks = ParseInts(parse.GetValue(blocks)!, "--blocks"),
                    NumRefinementBlocks = parse.GetValue(refinement),
                    Heads = ParseInts(parse.GetValue(heads)!, "--heads"),
                });
                report = Benchmark.Run(model, options, cli.Info);
            }
            cli.Info(report.ToTable());
            if (parse.GetValue(json) is { } file)
            {
                report.WriteJson(file);
                cli.Info($"wrote {Path.GetFullPath(file)}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Reads "256x256,1280x720" as (width, height) pairs, each at most <paramref name="maxPixels"/>.</summary>
    public static IReadOnlyList<(int Width, int Height)> ParseSizes(string text, long maxPixels) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(size =>
        {
            var parts = size.ToLowerInvariant().Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || !int.TryParse(parts[1], out int height) || width < 1 || height < 1)
                throw new ArgumentException($"--sizes: '{size}' is not WIDTHxHEIGHT (e.g. 1280x720).");
            if ((long)width * height > maxPixels)
                throw new ArgumentException($"--sizes: '{size}' is over the pixel limit of {ImageLimits.Megapixels(maxPixels)} (--max-pixels, {ImageLimits.EnvironmentVariable}).");
            return (width, height);
        }).ToList();

    private static int[] ParseInts(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option}: '{text}' is not a comma-separated list of integers (e.g. 4,6,6,8).");
        }
    }
}

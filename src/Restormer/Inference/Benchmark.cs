using System.Diagnostics;
using Restormer.Engine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Restormer.IO;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>What <see cref="Benchmark"/> measures.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Image sizes as (width, height).</summary>
    public IReadOnlyList<(int Width, int Height)> Sizes { get; init; } = [(256, 256)];
    public IReadOnlyList<Precision> Precisions { get; init; } = [Precision.Fp32];
    /// <summary>Timed runs per size and precision (the median is reported).</summary>
    public int Repeat { get; init; } = 5;
    /// <summary>Untimed runs first, so one-off costs (kernel compilation, allocator growth) are not counted.</summary>
    public int Warmup { get; init; } = 1;
    /// <summary>Tiling, memory budget and threads, as a restore would use them (the precision is taken from <see cref="Precisions"/>).</summary>
    public RestoreOptions Restore { get; init; } = new();
}

/// <summary>One size at one precision. <see cref="FirstSeconds"/> is the first run (warm-up included), with one-time costs such as packing the weights.</summary>
public sealed record BenchmarkResult(
    int Width, int Height, string Precision, int Tiles, double MedianSeconds, double MinSeconds, double FirstSeconds,
    double MegapixelsPerSecond, double GigaMacs, double AchievedGflops, double PeakGflops,
    [property: JsonPropertyName("peak_resident_mib")] double? PeakResidentMiB)
{
    /// <summary>Achieved over peak arithmetic rate.</summary>
    public double Efficiency => PeakGflops > 0 ? AchievedGflops / PeakGflops : 0;
}

/// <summary>
/// A benchmark run: the machine, the model and one result per size and precision. <see cref="LoadSeconds"/> is the time
/// to read the checkpoint (null for random weights); <see cref="StartToFirstImageSeconds"/> runs from the process start
/// to the end of the first restore, the wait a user of a one-image command sees.
/// </summary>
public sealed record BenchmarkReport(
    string Model, int Threads, int Cores, [property: JsonPropertyName("native_bfloat16")] bool NativeBFloat16, string Allocator,
    double GemmGflopsFp32, double GemmGflopsBf16, IReadOnlyList<BenchmarkResult> Results,
    double? LoadSeconds, double StartToFirstImageSeconds)
{
    /// <summary>A fixed-width table for the console.</summary>
    public string ToTable()
    {
        var lines = new List<string>
        {
            $"model {Model}",
            $"{Threads} thread(s) on {Cores} core(s), native bf16: {(NativeBFloat16 ? "yes" : "no")}, allocator: {Allocator}; " +
            $"GEMM peak {GemmGflopsFp32:F0} GFLOP/s fp32, {GemmGflopsBf16:F0} GFLOP/s bf16",
            (LoadSeconds is double load ? $"checkpoint loaded in {load:F2} s; " : "") +
            $"process start to first image {StartToFirstImageSeconds:F2} s (first run {Results.FirstOrDefault()?.FirstSeconds ?? 0:F2} s)",
            $"{"size",-11} {"precision",-9} {"tiles",5} {"median s",9} {"min s",8} {"first s",8} {"MP/s",7} {"GMAC",8} {"GFLOP/s",8} {"of peak",7} {"peak RSS",10}",
        };
        lines.AddRange(Results.Select(r =>
            $"{$"{r.Width}x{r.Height}",-11} {r.Precision,-9} {r.Tiles,5} {r.MedianSeconds,9:F3} {r.MinSeconds,8:F3} {r.FirstSeconds,8:F3} {r.MegapixelsPerSecond,7:F3} " +
            $"{r.GigaMacs,8:F1} {r.AchievedGflops,8:F1} {r.Efficiency,7:P0} {(r.PeakResidentMiB is double m ? $"{m:F0} MiB" : "n/a"),10}"));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Writes the report as indented JSON (snake_case keys, as <see cref="JsonStyle"/>), atomically.</summary>
    public void WriteJson(string path) =>
        AtomicFile.Write(path, (Stream stream) => JsonSerializer.Serialize(stream, this, JsonStyle.Indented));
}

/// <summary>
/// Measures restore speed the way users restore: <see cref="TiledRestorer"/> on random images (content does not
/// change the work), reporting the median time per image, megapixels per second, the arithmetic rate achieved
/// (<see cref="ModelCost"/>) against a matrix-product peak measured on this machine, and peak resident memory.
/// </summary>
public static class Benchmark
{
    /// <summary>Loads <paramref name="weightsPath"/>, timing the load, and benchmarks it as <see cref="Run(RestormerNet, BenchmarkOptions, Action{string})"/>.</summary>
    public static BenchmarkReport Run(string weightsPath, BenchmarkOptions options, Action<string>? log = null)
    {
        var watch = Stopwatch.StartNew();
        using var model = RestormerNet.FromCheckpoint(weightsPath);
        double load = watch.Elapsed.TotalSeconds;
        log?.Invoke($"checkpoint loaded in {load:F2} s");
        return Run(model, options, log) with { LoadSeconds = load };
    }

    /// <summary>Runs every size at every precision with <paramref name="model"/> (on the CPU).</summary>
    public static BenchmarkReport Run(RestormerNet model, BenchmarkOptions options, Action<string>? log = null)
    {
        if (options.Repeat < 1) throw new ArgumentException($"--repeat must be at least 1, got {options.Repeat}.");
        if (options.Restore.Threads is int threads) set_num_threads(threads);
        model.eval();
        var results = new List<BenchmarkResult>();
        double? startToFirstImage = null;
        foreach (var precision in options.Precisions)
        {
            using var restorer = new TiledRestorer(model, options.Restore with { Precision = precision });
            foreach (var (width, height) in options.Sizes)
            {
                var result = Measure(restorer, width, height, options, out double firstImageDone);
                startToFirstImage ??= firstImageDone;
                log?.Invoke($"{width}x{height} {result.Precision}: {result.MedianSeconds:F3} s");
                results.Add(result);
            }
        }
        // The GEMM peaks are measured after the runs so that they do not delay the first image.
        double peak32 = GemmPeakGflops(ScalarType.Float32), peak16 = GemmPeakGflops(ScalarType.BFloat16);
        log?.Invoke($"GEMM peak: {peak32:F0} GFLOP/s fp32, {peak16:F0} GFLOP/s bf16");
        return new BenchmarkReport(model.Config.ToString(), get_num_threads(), Environment.ProcessorCount, CpuFeatures.HasNativeBFloat16,
            Environment.GetEnvironmentVariable("RESTORMER_ALLOCATOR") ?? "default", peak32, peak16,
            results.Select(r => r with { PeakGflops = r.Precision == Precision.Bf16.Name() ? peak16 : peak32 }).ToList(),
            LoadSeconds: null, StartToFirstImageSeconds: startToFirstImage ?? 0);
    }

    /// <summary>Times one size; <paramref name="firstImageDone"/> is when its first run ended, in seconds since the process started.</summary>
    private static BenchmarkResult Measure(TiledRestorer restorer, int width, int height, BenchmarkOptions options, out double firstImageDone)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"Image sizes must be positive, got {width}x{height}.");
        using var generator = new Generator(0);
        using var image = rand([1, restorer.Model.Config.InpChannels, height, width], generator: generator);
        PeakMemory.Reset();
        var seconds = new List<double>();
        double first = 0;
        firstImageDone = 0;
        for (int i = 0; i < options.Warmup + options.Repeat; i++)
        {
            var watch = Stopwatch.StartNew();
            restorer.Restore(image).Dispose();
            double elapsed = watch.Elapsed.TotalSeconds;
            if (i == 0)
                (first, firstImageDone) = (elapsed, (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds);
            if (i >= options.Warmup)
                seconds.Add(elapsed);
        }
        seconds.Sort();
        double median = seconds.Count % 2 == 1 ? seconds[seconds.Count / 2] : (seconds[seconds.Count / 2 - 1] + seconds[seconds.Count / 2]) / 2;
        int paddedHeight = (height + 7) / 8 * 8, paddedWidth = (width + 7) / 8 * 8;
        var plan = restorer.ChooseTile(paddedHeight, paddedWidth) is int tile ? TilePlan.For(paddedHeight, paddedWidth, tile, restorer.Options.TileOverlap) : null;
        int tiles = plan?.Count ?? 1;
        double macs = plan is null ? ModelCost.MultiplyAccumulates(restorer.Model.Config, paddedHeight, paddedWidth)
            : tiles * ModelCost.MultiplyAccumulates(restorer.Model.Config, plan.Tile, plan.Tile);
        return new BenchmarkResult(width, height, restorer.Precision.Name(), tiles, median, seconds[0], first,
            (double)width * height / 1e6 / median, macs / 1e9, 2 * macs / 1e9 / median, PeakGflops: 0, // set by Run once the peak is measured
            PeakMemory.PeakResidentBytes() is long bytes ? bytes / 1048576.0 : null);
    }

    /// <summary>Best rate of a 1536³ matrix product in <paramref name="type"/> over a few tries, in GFLOP/s.</summary>
    public static double GemmPeakGflops(ScalarType type, int size = 1536, int tries = 5)
    {
        using var noGrad = no_grad();
        using var a = randn(size, size).to(type);
        using var b = randn(size, size).to(type);
        a.mm(b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < tries; i++)
        {
            var watch = Stopwatch.StartNew();
            a.mm(b).Dispose();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return 2.0 * size * size * size / best / 1e9;
    }
}

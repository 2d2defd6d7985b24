using System.Diagnostics;
using Restormer.Checkpoints;
using Restormer.Engine;
using Restormer.Inference;
using Restormer.Model;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Restormer.Tests.Inference;

/// <summary>
/// Progress and cancellation inside one image, through the library's <see cref="Restorer"/>: many reports per image,
/// weighted by work, never going back and ending at 1; a cancelled call stops within a bound, mid-image.
/// </summary>
[Collection(nameof(RunsAlone))] // timing: the bound must not be measured while other tests load the cores
public class RestoreProgressTests(ITestOutputHelper output)
{
    /// <summary>A "medium" random network (dim 24, blocks 2,3,3,4, as <c>restormer new-model --dim 24 --blocks 2,3,3,4 --refinement 2</c>).</summary>
    private static readonly RestormerConfig Medium = new() { Dim = 24, NumBlocks = [2, 3, 3, 4], NumRefinementBlocks = 2 };

    private static Restorer LoadMedium(RestoreOptions? options = null)
    {
        var folder = TestPaths.NewTempDir("progress-model");
        try
        {
            manual_seed(5);
            using var model = new RestormerNet(Medium);
            var path = Path.Combine(folder, "medium.pth");
            CheckpointFile.SavePth(path, model.state_dict());
            return Restorer.Load(path, options);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Tensor Image(int height, int width) => rand(1, 3, height, width, generator: new Generator(11));

    [Fact]
    public void OneImageReportsManyIncreasingFractionsEndingAtOne()
    {
        using var restorer = LoadMedium();
        using var input = Image(256, 320);
        var reports = new Recorder();
        restorer.Restore(input, reports).Dispose();

        Assert.Equal(1.0, reports.Values[^1]);
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second > p.First), "progress went back or repeated");
        Assert.True(reports.Values.Count(v => v < 1) >= 20, $"only {reports.Values.Count} reports within one image");
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second - p.First < 0.15), "progress jumped by more than 15 %");
    }

    [Fact]
    public void TiledImageReportsWithinEachTile()
    {
        using var restorer = LoadMedium(new RestoreOptions { TileSize = 64, TileOverlap = 16 });
        using var input = Image(96, 96);  // 2×2 tiles
        var reports = new Recorder();
        restorer.Restore(input, reports).Dispose();
        Assert.Equal(1.0, reports.Values[^1]);
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second > p.First));
        for (int tile = 0; tile < 4; tile++)
            Assert.Contains(reports.Values, v => v > tile * 0.25 + 0.02 && v < (tile + 1) * 0.25 - 0.02);
    }

    [Fact]
    public void CancellingMidImageStopsWithinAFewBands()
    {
        using var restorer = LoadMedium();
        using var input = Image(512, 768);
        using var cancellation = new CancellationTokenSource();
        var cancelledAt = new Stopwatch();
        double fractionAtCancel = 0;
        var progress = new Recorder(value =>
        {
            if (value < 0.3 || cancellation.IsCancellationRequested) return;
            fractionAtCancel = value;
            cancellation.Cancel();
            cancelledAt.Start();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => restorer.Restore(input, progress, cancellation.Token));
        var stop = cancelledAt.Elapsed;
        output.WriteLine($"cancelled at {fractionAtCancel:P1} of a 768×512 image; stopped {stop.TotalMilliseconds:F0} ms later");
        Assert.True(stop < TimeSpan.FromSeconds(3), $"took {stop.TotalSeconds:F2} s to stop"); // tens of ms on an idle machine
        Assert.True(progress.Values[^1] < 0.5, $"ran on to {progress.Values[^1]:P1} after being cancelled at {fractionAtCancel:P1}");

        // The restorer is still usable afterwards.
        using var small = Image(32, 32);
        restorer.Restore(small).Dispose();
    }

    [Fact]
    public void ModuleForwardReportsEveryBlockAndStopsBetweenBlocks()
    {
        manual_seed(5);
        using var model = new RestormerNet(Medium);
        model.eval();
        using var noGrad = no_grad();
        using var input = Image(64, 64);
        double macs = ModelCost.MultiplyAccumulates(Medium, 64, 64);

        var reports = new Recorder();
        var work = new WorkProgress(reports, 1, macs, CancellationToken.None);
        TiledRestorer.ModuleForward(model, input, work).Dispose();
        int blocks = Medium.NumBlocks.Sum() * 2 - Medium.NumBlocks[3] + Medium.NumRefinementBlocks;
        Assert.Equal(blocks, reports.Values.Count);
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second > p.First));
        // Transformer blocks are most of the work; the convolutions between levels come with the end of the pass.
        Assert.InRange(reports.Values[^1], 0.8, 0.99);
        work.EndPass();
        Assert.Equal(1.0, reports.Values[^1]);
        Assert.Null(model.BlockRunner);

        using var cancellation = new CancellationTokenSource();
        var stopping = new Recorder(value => { if (value > 0.3) cancellation.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TiledRestorer.ModuleForward(model, input, new WorkProgress(stopping, 1, macs, cancellation.Token)));
        Assert.True(stopping.Values.Count(v => v > 0.3) == 1, "a block ran after cancellation");
    }

    [Fact]
    public void EngineCountsTheWholeForwardPassByItsMultiplyAccumulates()
    {
        manual_seed(5);
        using var model = new RestormerNet(Medium);
        model.eval();
        using var engine = new InferenceEngine(model, Precision.Fp32, bandPixels: 512);
        using var input = Image(96, 128);
        var reports = new Recorder();
        engine.Forward(input, new WorkProgress(reports, 1, ModelCost.MultiplyAccumulates(Medium, 96, 128), CancellationToken.None)).Dispose();
        // Every band and convolution is counted as it is done: the pass adds up to ModelCost without EndPass.
        Assert.InRange(reports.Values[^1], 0.999, 1.0);
        Assert.True(reports.Values.Count >= 100, $"{reports.Values.Count} reports");
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second > p.First));
    }

    /// <summary>Records reports synchronously, as they are made (a <see cref="Progress{T}"/> would post them).</summary>
    private sealed class Recorder(Action<double>? onReport = null) : IProgress<double>
    {
        private readonly List<double> values = [];

        public IReadOnlyList<double> Values { get { lock (values) return [.. values]; } }

        public void Report(double value)
        {
            lock (values) values.Add(value);
            onReport?.Invoke(value);
        }
    }
}

using Restormer.Inference;
using static TorchSharp.torch;

namespace Restormer.Tests.Inference;

/// <summary>Geometric self-ensemble: transforms undo exactly, and the ensemble is the mean of the restored copies.</summary>
public class SelfEnsembleTests
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    [Fact]
    public void EachOfTheEightTransformsIsDistinctAndUndoesExactly()
    {
        using var image = rand(1, 3, 5, 7);
        var seen = new List<Tensor>();
        for (int k = 0; k < 8; k++)
        {
            var copy = SelfEnsemble.Apply(image, k);
            Assert.Equal(k >= 4 ? new long[] { 1, 3, 7, 5 } : [1, 3, 5, 7], copy.shape);
            using var back = SelfEnsemble.Undo(copy, k);
            Assert.True(back.allclose(image, rtol: 0, atol: 0), $"transform {k} is not undone");
            Assert.DoesNotContain(seen, other => other.shape.SequenceEqual(copy.shape) && other.allclose(copy, rtol: 0, atol: 0));
            seen.Add(copy);
        }
        seen.ForEach(t => t.Dispose());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void EnsembleIsTheMeanOfTheRestoredCopies(int copies)
    {
        var image = RandomImage(24, 40, seed: copies);
        using var plain = Restorer.Load(TinyWeights);
        using var ensemble = Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = copies });

        // The expected value is built on plain arrays (index arithmetic, no torch flips) from single passes.
        var expected = new float[24, 40, 3];
        for (int k = 0; k < copies; k++)
        {
            var restored = Undo(plain.Restore(Apply(image, k)), k);
            foreach (var (y, x, c) in Indices(expected)) expected[y, x, c] += restored[y, x, c] / copies;
        }

        var actual = ensemble.Restore(image);
        Assert.Equal(new[] { 24, 40, 3 }, new[] { actual.GetLength(0), actual.GetLength(1), actual.GetLength(2) });
        double worst = Indices(expected).Max(i => Math.Abs(expected[i.Y, i.X, i.C] - actual[i.Y, i.X, i.C]));
        Assert.True(worst < 1e-5, $"ensemble of {copies} differs from the mean of its copies by {worst}");
        var single = plain.Restore(image);
        double change = Indices(expected).Max(i => Math.Abs(single[i.Y, i.X, i.C] - actual[i.Y, i.X, i.C]));
        Assert.True(change > 1e-4, "the ensemble gave the single pass: the copies were not transformed");
    }

    [Fact]
    public void ProgressCoversAllCopiesInOrder()
    {
        using var restorer = Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = 4 });
        var reports = new RecordingProgress();
        restorer.Restore(RandomImage(16, 16, seed: 1), reports);
        Assert.Equal([0.25, 0.5, 0.75, 1.0], reports.Values);
    }

    [Fact]
    public void UnsupportedCopyCountIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = 3 }));
        Assert.Equal("Self-ensemble takes 1 (off), 2, 4 or 8 copies, not 3.", error.Message);
    }

    private static float[,,] RandomImage(int height, int width, int seed)
    {
        var random = new Random(seed);
        var image = new float[height, width, 3];
        foreach (var (y, x, c) in Indices(image)) image[y, x, c] = random.NextSingle();
        return image;
    }

    /// <summary>Mirror (bit 0), upside down (bit 1), then transpose (bit 2), on an H×W×C array.</summary>
    private static float[,,] Apply(float[,,] image, int k)
    {
        int h = image.GetLength(0), w = image.GetLength(1), ch = image.GetLength(2);
        bool transpose = (k & 4) != 0;
        var result = transpose ? new float[w, h, ch] : new float[h, w, ch];
        foreach (var (y, x, c) in Indices(image))
        {
            int fy = (k & 2) != 0 ? h - 1 - y : y, fx = (k & 1) != 0 ? w - 1 - x : x;
            if (transpose) result[fx, fy, c] = image[y, x, c];
            else result[fy, fx, c] = image[y, x, c];
        }
        return result;
    }

    private static float[,,] Undo(float[,,] image, int k)
    {
        var untransposed = (k & 4) != 0 ? Apply(image, 4) : image;
        return Apply(untransposed, k & 3);
    }

    private static IEnumerable<(int Y, int X, int C)> Indices(float[,,] image)
    {
        for (int y = 0; y < image.GetLength(0); y++)
            for (int x = 0; x < image.GetLength(1); x++)
                for (int c = 0; c < image.GetLength(2); c++)
                    yield return (y, x, c);
    }

    private sealed class RecordingProgress : IProgress<double>
    {
        public List<double> Values { get; } = [];
        public void Report(double value) => Values.Add(value);
    }
}

using Restormer.Inference;
using Restormer.Training.Data;
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

    /// <summary>
    /// The copies as the training augmentation's <see cref="Dihedral"/> modes (2·quarter turns + upside down), an
    /// independent implementation on plain arrays: mirror left-right is mode 5 (half turn, then upside down).
    /// </summary>
    [Theory]
    [InlineData(2, new[] { 0, 5 })]
    [InlineData(4, new[] { 0, 1, 4, 5 })]
    [InlineData(8, new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    public void EnsembleIsTheMeanOfTheRestoredCopies(int copies, int[] modes)
    {
        var random = new Random(copies);
        var image = new PlanarImage([.. Enumerable.Range(0, 3 * 24 * 40).Select(_ => random.NextSingle())], 3, 24, 40);
        using var plain = Restorer.Load(TinyWeights);
        using var ensemble = Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = copies });

        var expected = new float[image.Data.Length];
        foreach (int mode in modes)
        {
            var restored = Dihedral.Apply(Restore(plain, Dihedral.Apply(image, mode)), Inverse(mode));
            for (int i = 0; i < expected.Length; i++) expected[i] += restored.Data[i] / copies;
        }

        var actual = Restore(ensemble, image);
        Assert.Equal((24, 40), (actual.Height, actual.Width));
        double worst = expected.Zip(actual.Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst < 1e-5, $"ensemble of {copies} differs from the mean of its copies by {worst}");
        double change = Restore(plain, image).Data.Zip(actual.Data, (p, a) => Math.Abs(p - a)).Max();
        Assert.True(change > 1e-4, "the ensemble gave the single pass: the copies were not transformed");
    }

    [Fact]
    public void ProgressCoversAllCopiesInOrder()
    {
        using var restorer = Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = 4 });
        var reports = new RecordingProgress();
        restorer.Restore(new float[16, 16, 3], reports);
        Assert.True(reports.Values.Zip(reports.Values.Skip(1)).All(p => p.Second > p.First), "progress went back");
        foreach (var end in new[] { 0.25, 0.5, 0.75, 1.0 })
        {
            Assert.Contains(end, reports.Values);                                   // each copy ends at its share
            Assert.Contains(reports.Values, v => v > end - 0.25 && v < end - 0.01); // and reports within it
        }
    }

    [Fact]
    public void UnsupportedCopyCountIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => Restorer.Load(TinyWeights, new RestoreOptions { SelfEnsemble = 3 }));
        Assert.Equal("Self-ensemble takes 1 (off), 2, 4 or 8 copies, not 3.", error.Message);
    }

    /// <summary>Quarter turns are undone by the opposite turn; the upside-down modes are reflections, their own inverse.</summary>
    private static int Inverse(int mode) => mode % 2 == 1 ? mode : 2 * ((4 - mode / 2) % 4);

    private static PlanarImage Restore(Restorer restorer, PlanarImage image)
    {
        using var input = tensor(image.Data, [1, image.Channels, image.Height, image.Width]);
        using var output = restorer.Restore(input);
        return new PlanarImage(output.data<float>().ToArray(), (int)output.shape[1], (int)output.shape[2], (int)output.shape[3]);
    }

    private sealed class RecordingProgress : IProgress<double>
    {
        public List<double> Values { get; } = [];
        public void Report(double value) => Values.Add(value);
    }
}

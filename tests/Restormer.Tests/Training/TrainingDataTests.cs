using OpenCvSharp;
using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

public class TrainingDataTests
{
    static PlanarImage Grid(int h, int w, int channels = 1) =>
        new(Enumerable.Range(0, channels * h * w).Select(i => (float)i).ToArray(), channels, h, w);

    static float[,] Plane(PlanarImage image, int c = 0)
    {
        var result = new float[image.Height, image.Width];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                result[y, x] = image[c, y, x];
        return result;
    }

    [Theory]
    // 2×3 image [[0,1,2],[3,4,5]]; numpy's rot90 turns counter-clockwise, then mode odd flips upside down.
    [InlineData(0, new float[] { 0, 1, 2, 3, 4, 5 }, 2)]
    [InlineData(1, new float[] { 3, 4, 5, 0, 1, 2 }, 2)]
    [InlineData(2, new float[] { 2, 5, 1, 4, 0, 3 }, 3)]
    [InlineData(3, new float[] { 0, 3, 1, 4, 2, 5 }, 3)]
    [InlineData(4, new float[] { 5, 4, 3, 2, 1, 0 }, 2)]
    [InlineData(5, new float[] { 2, 1, 0, 5, 4, 3 }, 2)]
    [InlineData(6, new float[] { 3, 0, 4, 1, 5, 2 }, 3)]
    [InlineData(7, new float[] { 5, 2, 4, 1, 3, 0 }, 3)]
    public void DihedralModesFollowTheReferenceNumbering(int mode, float[] expected, int height)
    {
        var turned = Dihedral.Apply(Grid(2, 3), mode);
        Assert.Equal(height, turned.Height);
        Assert.Equal(expected, turned.Data);
    }

    [Fact]
    public void AllEightVariantsOfAnAsymmetricImageAreDistinctAndKeepChannels()
    {
        var image = Grid(4, 4, channels: 3);
        var variants = Enumerable.Range(0, Dihedral.Count).Select(m => Dihedral.Apply(image, m)).ToList();
        Assert.Equal(8, variants.Select(v => string.Join(",", v.Data)).Distinct().Count());
        // Every channel is turned the same way: channel c is channel 0 shifted by c·16.
        foreach (var v in variants)
            for (int c = 1; c < 3; c++)
                Assert.Equal(Plane(v).Cast<float>().Select(x => x + c * 16), Plane(v, c).Cast<float>());
    }

    [Fact]
    public void FromMatConvertsBgrToPlanarRgbInUnitRange()
    {
        using var bgr = new Mat(1, 2, MatType.CV_8UC3, new Scalar(10, 20, 255));
        var planar = PlanarImage.FromMat(bgr);
        Assert.Equal([1f, 1f, 20f / 255, 20f / 255, 10f / 255, 10f / 255], planar.Data);
        using var deep = new Mat(1, 1, MatType.CV_16UC1, new Scalar(65535));
        Assert.Equal([1f], PlanarImage.FromMat(deep).Data);
    }

    /// <summary>A folder pair of random images whose inputs are the targets' negatives, so alignment is checkable.</summary>
    static (string Lq, string Gt) NegativePairs(int count, int height, int width, int seed = 1)
    {
        var root = TestPaths.NewTempDir("restormer-training-data");
        var (lq, gt) = (Path.Combine(root, "lq"), Path.Combine(root, "gt"));
        Directory.CreateDirectory(lq);
        Directory.CreateDirectory(gt);
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var pixels = new byte[height * width * 3];
            rng.NextBytes(pixels);
            using var target = new Mat(height, width, MatType.CV_8UC3);
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, target.Data, pixels.Length);
            using var input = new Mat();
            Cv2.BitwiseNot(target, input);
            Cv2.ImWrite(Path.Combine(gt, $"img{i:D2}.png"), target);
            Cv2.ImWrite(Path.Combine(lq, $"img{i:D2}.png"), input);
        }
        return (lq, gt);
    }

    static DatasetOptions TrainSet(string lq, string gt, int gtSize, int batch, bool augs = true,
        int[]? miniBatches = null, int[]? iters = null, int[]? sizes = null) => new()
    {
        Source = new PairedFolderSet.Spec(lq, gt, "{}"),
        GtSize = gtSize,
        BatchSize = batch,
        GeometricAugs = augs,
        MiniBatchSizes = miniBatches ?? [batch],
        Iters = iters ?? [],
        GtSizes = sizes ?? [gtSize],
    };

    [Fact]
    public void PatchesAreAlignedRandomWindowsOfTheTurnedPair()
    {
        var (lq, gt) = NegativePairs(3, 12, 10);
        var set = new PairedFolderSet(lq, gt);
        var batcher = new PatchBatcher(set, TrainSet(lq, gt, gtSize: 6, batch: 3), seed: 5);
        var modesSeen = new HashSet<int>();
        for (long iteration = 1; iteration <= 12; iteration++)
        {
            var batch = batcher.Build(iteration);
            var pixels = 3 * 6 * 6;
            for (int b = 0; b < batch.Count; b++)
            {
                var lqPatch = batch.Lq.AsSpan(b * pixels, pixels).ToArray();
                var gtPatch = batch.Gt.AsSpan(b * pixels, pixels).ToArray();
                for (int i = 0; i < pixels; i++)
                    Assert.Equal(1f - gtPatch[i], lqPatch[i], 5);
                using var image = ImageFiles.Read(set.PathsOf(batch.Indices[b]).Gt);
                modesSeen.Add(FindWindow(PlanarImage.FromMat(image), new PlanarImage(gtPatch, 3, 6, 6)));
            }
        }
        Assert.True(modesSeen.Count >= 6, $"only dihedral modes {string.Join(",", modesSeen)} were drawn in 36 patches");
    }

    // The dihedral mode under which the patch is a window of the image; fails when it is none.
    static int FindWindow(PlanarImage image, PlanarImage patch)
    {
        for (int mode = 0; mode < Dihedral.Count; mode++)
            for (int top = 0; top + patch.Height <= image.Height; top++)
                for (int left = 0; left + patch.Width <= image.Width; left++)
                {
                    // Undo the turn on the patch: compare against every turned window instead.
                    var window = Dihedral.Apply(image.Crop(top, left, patch.Height, patch.Width), mode);
                    if (window.Data.SequenceEqual(patch.Data))
                        return mode;
                }
        Assert.Fail("The patch is no turned window of its image.");
        return -1;
    }

    [Fact]
    public void SmallImagesArePaddedByReflectionUpToThePatchSize()
    {
        var (lq, gt) = NegativePairs(1, 5, 4);
        var set = new PairedFolderSet(lq, gt);
        var (lqPatch, gtPatch) = new PatchBatcher(set, TrainSet(lq, gt, gtSize: 6, batch: 1, augs: false), 1).LoadPatch(0, new Random(3));
        using var image = ImageFiles.Read(set.PathsOf(0).Gt);
        var source = PlanarImage.FromMat(image);
        // Rows 5 and 4 and columns 4 and 3 mirror each other (BORDER_REFLECT repeats the edge pixel).
        Assert.Equal((6, 6), (gtPatch.Height, gtPatch.Width));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(source[c, 4, 0], gtPatch[c, 5, 0]);
            Assert.Equal(source[c, 0, 3], gtPatch[c, 0, 4]);
            Assert.Equal(source[c, 3, 2], gtPatch[c, 3, 2]);
            Assert.Equal(1f - gtPatch[c, 5, 5], lqPatch[c, 5, 5], 5);
        }
    }

    [Fact]
    public void ProgressiveStagesShrinkTheBatchAndCropThePatches()
    {
        var (lq, gt) = NegativePairs(4, 16, 16);
        var options = TrainSet(lq, gt, gtSize: 12, batch: 4, miniBatches: [2, 4], iters: [3, 3], sizes: [8, 12]);
        var batcher = new PatchBatcher(new PairedFolderSet(lq, gt), options, seed: 2);

        var early = batcher.Build(3);
        Assert.Equal((2, 8, 8), (early.Count, early.Height, early.Width));
        Assert.Equal(2 * 3 * 64, early.Gt.Length);
        Assert.Equal(2, early.Indices.Distinct().Count());
        Assert.Subset(batcher.Order.BatchAt(3).ToHashSet(), early.Indices.ToHashSet());
        for (int i = 0; i < early.Gt.Length; i++)
            Assert.Equal(1f - early.Gt[i], early.Lq[i], 5);

        var late = batcher.Build(4);
        Assert.Equal((4, 12, 12), (late.Count, late.Height, late.Width));
        Assert.Equal(batcher.Order.BatchAt(4), late.Indices);
    }

    [Fact]
    public void BatchesDependOnlyOnSeedAndIteration()
    {
        var (lq, gt) = NegativePairs(5, 10, 10);
        var options = TrainSet(lq, gt, gtSize: 4, batch: 2);
        var first = new PatchBatcher(new PairedFolderSet(lq, gt), options, seed: 9);
        var second = new PatchBatcher(new PairedFolderSet(lq, gt), options, seed: 9);
        var other = new PatchBatcher(new PairedFolderSet(lq, gt), options, seed: 10);

        Assert.Equal(first.Build(7).Gt, second.Build(7).Gt);
        Assert.Equal(first.Build(2).Gt, first.Build(2).Gt);
        Assert.NotEqual(first.Build(7).Gt, first.Build(8).Gt);
        Assert.NotEqual(first.Build(7).Gt, other.Build(7).Gt);
    }

    [Fact]
    public void EpochsVisitEveryPairEnlargeTimesAndDropTheIncompleteBatch()
    {
        var order = new EpochOrder(count: 5, batchSize: 3, enlargeRatio: 2, seed: 4);
        Assert.Equal(3, order.IterationsPerEpoch);
        var epoch0 = Enumerable.Range(1, 3).SelectMany(i => order.BatchAt(i)).ToList();
        var epoch1 = Enumerable.Range(4, 3).SelectMany(i => order.BatchAt(i)).ToList();
        Assert.Equal(9, epoch0.Count);
        Assert.All(epoch0.GroupBy(i => i), g => Assert.InRange(g.Count(), 1, 2));
        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(1, order.EpochOf(4));
        Assert.Equal(order.BatchAt(5), new EpochOrder(5, 3, 2, seed: 4).BatchAt(5));
    }

    [Fact]
    public void TooFewPairsForOneBatchIsExplained()
    {
        var error = Assert.Throws<ArgumentException>(() => new EpochOrder(count: 2, batchSize: 4, enlargeRatio: 1, seed: 0));
        Assert.Contains("fewer than one batch", error.Message);
    }

    [Fact]
    public void MismatchedFoldersAreExplained()
    {
        var (lq, gt) = NegativePairs(2, 4, 4);
        File.Move(Path.Combine(lq, "img01.png"), Path.Combine(lq, "other.png"));
        var error = Assert.Throws<InvalidDataException>(() => new PairedFolderSet(lq, gt));
        Assert.Contains("img01", error.Message);
        Assert.Contains("dataroot_lq", error.Message);
        var missing = Assert.Throws<DirectoryNotFoundException>(() => new PairedFolderSet(lq, Path.Combine(gt, "nope")));
        Assert.Contains("dataroot_gt", missing.Message);
    }

    [Fact]
    public void DamagedImagesStopTheRunBeforeTrainingAndAreAllNamed()
    {
        var (lq, gt) = NegativePairs(3, 4, 4);
        var cut = File.ReadAllBytes(Path.Combine(gt, "img01.png"));
        File.WriteAllBytes(Path.Combine(gt, "img01.png"), cut[..(cut.Length / 2)]);
        File.WriteAllBytes(Path.Combine(gt, "img02.png"), []);
        var error = Assert.Throws<InvalidDataException>(() => new PairedFolderSet(lq, gt));
        Assert.StartsWith("2 of 3 image files in data folder", error.Message);
        Assert.Contains("(dataroot_gt)", error.Message);
        Assert.Contains($"'{Path.Combine(gt, "img01.png")}'", error.Message);
        Assert.Contains($"'{Path.Combine(gt, "img02.png")}': the file is empty", error.Message);
        Assert.DoesNotContain("img00", error.Message);
    }

    [Fact]
    public void PrefetcherReturnsBatchesInOrderAndMeasuresWaiting()
    {
        var (lq, gt) = NegativePairs(4, 8, 8);
        var batcher = new PatchBatcher(new PairedFolderSet(lq, gt), TrainSet(lq, gt, gtSize: 4, batch: 2), seed: 1);
        using var prefetcher = new BatchPrefetcher(batcher.Build, first: 3, last: 8, depth: 3);
        for (long i = 3; i <= 8; i++)
        {
            var batch = prefetcher.Next();
            Assert.Equal(i, batch.Draw);
            Assert.Equal(batcher.Build(i).Gt, batch.Gt);
        }
        Assert.Throws<InvalidOperationException>(() => prefetcher.Next());
        Assert.True(prefetcher.WaitTime >= TimeSpan.Zero);
    }
}

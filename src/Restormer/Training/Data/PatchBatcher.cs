using OpenCvSharp;
using Restormer.Training.Options;

namespace Restormer.Training.Data;

/// <summary>
/// Makes the batch of any iteration, as the reference pipeline does: each pair is padded (reflect) up to
/// <c>gt_size</c>, cut at a random aligned position to <c>gt_size</c>, turned by a random dihedral variant when
/// <c>geometric_augs</c>; then the progressive stage keeps a random <c>mini_batch_size</c> of the pairs and cuts
/// one random <c>gt_sizes[j]</c> window, the same for the whole batch. All choices come from streams derived from
/// (seed, draw), so <see cref="Build"/> is a pure function of the draw and may run on any thread. A draw is one
/// loaded batch: the iteration itself, or with gradient accumulation over k micro-batches, micro-batch j (0-based) of
/// iteration i is draw (i − 1)·k + j + 1, and follows the progressive stage of iteration i.
/// </summary>
public sealed class PatchBatcher
{
    readonly IPairedImageSet set;
    readonly DatasetOptions options;
    readonly int seed, microBatches;

    /// <summary>
    /// Batches from <paramref name="set"/> under the training-set options and the run's seed, <paramref name="microBatches"/>
    /// draws per iteration.
    /// </summary>
    public PatchBatcher(IPairedImageSet set, DatasetOptions options, int seed, int microBatches = 1)
    {
        this.set = set;
        this.options = options;
        this.seed = seed;
        this.microBatches = microBatches;
        Schedule = ProgressiveSchedule.From(options);
        Order = new EpochOrder(set.Count, options.BatchSize, options.EnlargeRatio, seed, options.Shuffle);
    }

    /// <summary>Number of pairs in the training set.</summary>
    public int PairCount => set.Count;

    /// <summary>The progressive-learning stages.</summary>
    public ProgressiveSchedule Schedule { get; }

    /// <summary>The data order.</summary>
    public EpochOrder Order { get; }

    /// <summary>The 0-based epoch that the first draw of (1-based) <paramref name="iteration"/> falls in.</summary>
    public long EpochOf(long iteration) => Order.EpochOf(FirstDraw(iteration));

    /// <summary>The (1-based) draw of the first micro-batch of (1-based) <paramref name="iteration"/>.</summary>
    public long FirstDraw(long iteration) => (iteration - 1) * microBatches + 1;

    /// <summary>The batch of (1-based) <paramref name="draw"/>.</summary>
    public TrainingBatch Build(long draw)
    {
        var stage = Schedule.StageAt((draw - 1) / microBatches + 1);
        var indices = Order.BatchAt(draw);
        var rng = RandomStreams.For(seed, RandomStream.Batch, draw);
        var slots = stage.BatchSize < indices.Length
            ? SampleWithoutReplacement(rng, indices.Length, stage.BatchSize)
            : Enumerable.Range(0, indices.Length).ToArray();
        int size = stage.PatchSize, range = options.GtSize - size;
        // As the reference: offsets are floor(range · U[0,1)), rows first.
        int top = range > 0 ? (int)(range * rng.NextDouble()) : 0;
        int left = range > 0 ? (int)(range * rng.NextDouble()) : 0;

        var pairs = slots.Select(slot =>
        {
            var sampleRng = RandomStreams.For(seed, RandomStream.Sample, draw, slot);
            var (lq, gt) = LoadPatch(indices[slot], sampleRng);
            return range > 0 ? (Lq: lq.Crop(top, left, size, size), Gt: gt.Crop(top, left, size, size)) : (Lq: lq, Gt: gt);
        }).ToArray();
        return new TrainingBatch
        {
            Draw = draw,
            Stage = stage,
            Count = pairs.Length,
            LqChannels = pairs[0].Lq.Channels,
            GtChannels = pairs[0].Gt.Channels,
            Height = size,
            Width = size,
            Lq = Concatenate(pairs.Select(p => p.Lq)),
            Gt = Concatenate(pairs.Select(p => p.Gt)),
            Indices = slots.Select(s => indices[s]).ToArray(),
        };
    }

    /// <summary>
    /// Pair <paramref name="index"/> cut to <c>gt_size</c> at a random position, randomly turned, and degraded when
    /// the set degrades patches (<see cref="IPatchDegradation"/>).
    /// </summary>
    public (PlanarImage Lq, PlanarImage Gt) LoadPatch(int index, Random rng)
    {
        var (lq, gt) = set.Load(index, rng);
        using (lq)
        using (gt)
        {
            var (lqPatch, gtPatch) = RandomCrop(lq, gt, options.GtSize, rng);
            if (options.GeometricAugs)
            {
                var mode = rng.Next(Dihedral.Count);
                (lqPatch, gtPatch) = (Dihedral.Apply(lqPatch, mode), Dihedral.Apply(gtPatch, mode));
            }
            (set as IPatchDegradation)?.DegradePatch(lqPatch, rng);
            return (lqPatch, gtPatch);
        }
    }

    /// <summary>
    /// Pads both images (reflect, bottom and right) up to <paramref name="size"/> if smaller, then cuts the same
    /// random <paramref name="size"/>² window from both.
    /// </summary>
    public static (PlanarImage Lq, PlanarImage Gt) RandomCrop(Mat lq, Mat gt, int size, Random rng)
    {
        var lqPadded = PadTo(lq, size);
        var gtPadded = PadTo(gt, size);
        try
        {
            var top = rng.Next(0, gtPadded.Height - size + 1);
            var left = rng.Next(0, gtPadded.Width - size + 1);
            var window = new Rect(left, top, size, size);
            return (PlanarImage.FromMat(lqPadded, window), PlanarImage.FromMat(gtPadded, window));
        }
        finally
        {
            if (lqPadded != lq) lqPadded.Dispose();
            if (gtPadded != gt) gtPadded.Dispose();
        }
    }

    // The image itself when it is large enough, else a padded copy (BORDER_REFLECT, as the reference's padding()).
    static Mat PadTo(Mat image, int size)
    {
        int bottom = Math.Max(0, size - image.Height), right = Math.Max(0, size - image.Width);
        if (bottom == 0 && right == 0)
            return image;
        var padded = new Mat();
        Cv2.CopyMakeBorder(image, padded, 0, bottom, 0, right, BorderTypes.Reflect);
        return padded;
    }

    // Python's random.sample(range(n), k): k distinct values in random order (partial Fisher–Yates).
    static int[] SampleWithoutReplacement(Random rng, int n, int k)
    {
        var pool = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < k; i++)
        {
            var j = rng.Next(i, n);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }

    static float[] Concatenate(IEnumerable<PlanarImage> images)
    {
        var list = images.ToList();
        var data = new float[list.Sum(i => i.Data.Length)];
        var offset = 0;
        foreach (var image in list)
        {
            image.Data.CopyTo(data, offset);
            offset += image.Data.Length;
        }
        return data;
    }
}

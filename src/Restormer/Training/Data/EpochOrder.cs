namespace Restormer.Training.Data;

/// <summary>
/// Which pairs make up the batch of each iteration. As the reference's sampler, an epoch visits every pair
/// <c>dataset_enlarge_ratio</c> times in a shuffled order, and the last incomplete batch of an epoch is dropped.
/// The order of epoch e depends only on (seed, e), so any iteration's batch can be found directly.
/// </summary>
public sealed class EpochOrder
{
    readonly int count, batchSize, enlargeRatio, seed;
    readonly bool shuffle;
    readonly Lock gate = new();
    (long Epoch, int[] Order)? cached;

    /// <summary>Orders <paramref name="count"/> pairs into batches of <paramref name="batchSize"/>.</summary>
    public EpochOrder(int count, int batchSize, int enlargeRatio, int seed, bool shuffle = true)
    {
        if (count <= 0)
            throw new ArgumentException("The training set is empty.");
        if ((long)count * enlargeRatio < batchSize)
            throw new ArgumentException($"The training set has {count} pairs (x{enlargeRatio} dataset_enlarge_ratio), fewer than one batch of {batchSize}; add images, raise dataset_enlarge_ratio or lower batch_size_per_gpu.");
        (this.count, this.batchSize, this.enlargeRatio, this.seed, this.shuffle) = (count, batchSize, enlargeRatio, seed, shuffle);
    }

    /// <summary>Batches per epoch (incomplete batches dropped).</summary>
    public int IterationsPerEpoch => (int)((long)count * enlargeRatio / batchSize);

    /// <summary>The 0-based epoch that (1-based) <paramref name="iteration"/> falls in.</summary>
    public long EpochOf(long iteration) => (iteration - 1) / IterationsPerEpoch;

    /// <summary>The pair indices of the batch of (1-based) <paramref name="iteration"/>.</summary>
    public int[] BatchAt(long iteration)
    {
        var order = OrderOf(EpochOf(iteration));
        var start = (int)((iteration - 1) % IterationsPerEpoch) * batchSize;
        return order.AsSpan(start, batchSize).ToArray();
    }

    int[] OrderOf(long epoch)
    {
        lock (gate)
        {
            if (cached is { } c && c.Epoch == epoch)
                return c.Order;
            var order = Enumerable.Range(0, count * enlargeRatio).Select(i => i % count).ToArray();
            if (shuffle)
                RandomStreams.For(seed, RandomStream.EpochOrder, epoch).Shuffle(order);
            cached = (epoch, order);
            return order;
        }
    }
}

namespace Restormer.Training.Data;

/// <summary>The independent purposes random numbers are drawn for; each gets its own stream per iteration.</summary>
public enum RandomStream
{
    /// <summary>The order of the pairs in one epoch.</summary>
    EpochOrder = 1,
    /// <summary>Per-batch choices: progressive-learning subset and sub-crop.</summary>
    Batch = 2,
    /// <summary>Per-pair choices: crop position, augmentation, synthetic degradation.</summary>
    Sample = 3,
    /// <summary>Mixup weight and partner order.</summary>
    Mixup = 4,
    /// <summary>Fixed degradations of validation pairs made on the fly.</summary>
    Validation = 5,
}

/// <summary>
/// Derives a generator from (seed, purpose, iteration, slot) instead of advancing one shared generator, so that the
/// random choices of iteration <c>i</c> do not depend on what ran before it: a resumed run, or loaders running in
/// parallel in any order, make exactly the choices of an uninterrupted run. The training state then only needs the seed.
/// </summary>
public static class RandomStreams
{
    /// <summary>A generator for one purpose at one (iteration, slot); equal inputs give equal sequences on every platform.</summary>
    public static Random For(int seed, RandomStream stream, long index, long slot = 0) =>
        new(Derive(seed, stream, index, slot));

    /// <summary>The 31-bit seed behind <see cref="For"/>.</summary>
    public static int Derive(int seed, RandomStream stream, long index, long slot = 0)
    {
        var h = Mix((ulong)(uint)seed);
        h = Mix(h ^ (ulong)stream);
        h = Mix(h ^ (ulong)index);
        h = Mix(h ^ (ulong)slot);
        return (int)(h >> 33);
    }

    // SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

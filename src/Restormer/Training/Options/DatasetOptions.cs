using Restormer.Training.Data;

namespace Restormer.Training.Options;

/// <summary>
/// One entry of <c>datasets</c> (<c>train</c> or <c>val</c>): where the pairs come from plus, for training, the
/// patch size, batch size, augmentation and the progressive-learning stages.
/// </summary>
public sealed record DatasetOptions
{
    /// <summary>Display name (<c>name</c>).</summary>
    public string Name { get; init; } = "";
    /// <summary><c>train</c> or <c>val</c> (from the section key, as the reference: <c>val_2</c> is a val set).</summary>
    public string Phase { get; init; } = "train";
    /// <summary>The type-specific source of pairs (<c>type</c> plus its keys).</summary>
    public required IPairedImageSetSpec Source { get; init; }
    /// <summary>Largest patch size cut from each pair (<c>gt_size</c>).</summary>
    public int GtSize { get; init; }
    /// <summary>Random flips and 90° rotations (<c>geometric_augs</c>).</summary>
    public bool GeometricAugs { get; init; }
    /// <summary>Pairs per loaded batch (<c>batch_size_per_gpu</c>; one device here).</summary>
    public int BatchSize { get; init; } = 1;
    /// <summary>Progressive learning: batch size per stage (<c>mini_batch_sizes</c>).</summary>
    public int[] MiniBatchSizes { get; init; } = [];
    /// <summary>Progressive learning: iterations per stage (<c>iters</c>).</summary>
    public int[] Iters { get; init; } = [];
    /// <summary>Progressive learning: patch size per stage (<c>gt_sizes</c>).</summary>
    public int[] GtSizes { get; init; } = [];
    /// <summary>How many times each pair appears per epoch (<c>dataset_enlarge_ratio</c>).</summary>
    public int EnlargeRatio { get; init; } = 1;
    /// <summary>Shuffle the pairs every epoch (<c>use_shuffle</c>).</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Background loaders (<c>num_worker_per_gpu</c>, capped to the processor count when used).</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Batches prepared ahead of the one in use (<c>num_prefetch_queue</c>).</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>
    /// Batches loaded ahead in parallel: one per worker (at most one per processor core), at least
    /// <see cref="PrefetchBatches"/>.
    /// </summary>
    public int BatchesInFlight => Math.Max(PrefetchBatches, Math.Min(Workers, Environment.ProcessorCount));

    internal static DatasetOptions Parse(OptionMap map, string phase)
    {
        map.Accept("io_backend", "prefetch_mode", "pin_memory", "phase", "scale");
        CheckIoBackend(map);
        var isTrain = phase == "train";
        var source = PairedImageSetTypes.Parse(map, phase);
        var gtSize = isTrain ? map.Require<int>("gt_size") : map.Get("gt_size", 0);
        var batch = isTrain ? map.Require<int>("batch_size_per_gpu") : map.Get("batch_size_per_gpu", 1);
        var options = new DatasetOptions
        {
            Name = map.Get("name", phase),
            Phase = phase,
            Source = source,
            GtSize = gtSize,
            GeometricAugs = map.Get("geometric_augs", false),
            BatchSize = batch,
            MiniBatchSizes = map.Get("mini_batch_sizes", new[] { batch }),
            Iters = map.Get("iters", Array.Empty<int>()),
            GtSizes = map.Get("gt_sizes", new[] { gtSize }),
            EnlargeRatio = map.Get("dataset_enlarge_ratio", 1),
            Shuffle = map.Get("use_shuffle", true),
            Workers = Math.Max(1, map.Get("num_worker_per_gpu", 2)),
            PrefetchBatches = Math.Max(1, map.Get("num_prefetch_queue", 2)),
        };
        if (isTrain)
            options.CheckTraining(map);
        return options;
    }

    void CheckTraining(OptionMap map)
    {
        string Where(string key) => $"{map.Source}: '{map.PathOf(key)}'";
        if (GtSize <= 0)
            throw new OptionException($"{Where("gt_size")} must be a positive patch size.");
        if (BatchSize <= 0)
            throw new OptionException($"{Where("batch_size_per_gpu")} must be at least 1.");
        if (EnlargeRatio <= 0)
            throw new OptionException($"{Where("dataset_enlarge_ratio")} must be at least 1.");
        var stages = Iters.Length == 0 ? 1 : Iters.Length;
        if (MiniBatchSizes.Length != stages || GtSizes.Length != stages)
            throw new OptionException($"{Where("iters")}, 'mini_batch_sizes' and 'gt_sizes' must have the same number of entries (one per progressive stage); they have {Iters.Length}, {MiniBatchSizes.Length} and {GtSizes.Length}.");
        if (MiniBatchSizes.Any(b => b <= 0 || b > BatchSize))
            throw new OptionException($"{Where("mini_batch_sizes")} entries must be between 1 and batch_size_per_gpu ({BatchSize}).");
        if (GtSizes.Any(s => s <= 0 || s > GtSize))
            throw new OptionException($"{Where("gt_sizes")} entries must be between 1 and gt_size ({GtSize}).");
    }

    static void CheckIoBackend(OptionMap map)
    {
        var backend = map.Map("io_backend");
        if (backend is null)
            return;
        var type = backend.Get("type", "disk");
        if (type != "disk")
            throw new OptionException($"{map.Source}: '{backend.PathOf("type")}' is '{type}'; only 'disk' (image files in folders) is supported.");
    }
}

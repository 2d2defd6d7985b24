namespace Restormer.Inference;

/// <summary>
/// How an image is pushed through the network. None of these change the result except <see cref="TileSize"/> (tile
/// seams are averaged, as in the reference demo), <see cref="Precision"/> (bf16 rounding) and <see cref="SelfEnsemble"/>;
/// the defaults suit a desktop CPU and give the reference's pixels.
/// </summary>
public sealed record RestoreOptions
{
    /// <summary>
    /// Tile side in pixels (a multiple of 8), as the reference demo's <c>--tile</c>. Null: the whole image at once when
    /// it fits <see cref="MemoryBudgetBytes"/>, else the largest tile that does.
    /// </summary>
    public int? TileSize { get; init; }

    /// <summary>Overlap between neighbouring tiles (reference <c>--tile_overlap</c>); overlapping outputs are averaged.</summary>
    public int TileOverlap { get; init; } = 32;

    /// <summary>Memory the network's activations may use; larger images are tiled automatically to stay below it.</summary>
    public long MemoryBudgetBytes { get; init; } = 2L << 30;

    /// <summary><c>cpu</c> or <c>cuda</c> (<c>cuda:N</c>); CUDA needs a TorchSharp CUDA runtime package.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Intra-op threads for the network; null keeps libtorch's default (one per core). libtorch has one thread pool per
    /// process, so this setting applies to every <see cref="Restorer"/> in the process.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Arithmetic of the network on the CPU: <see cref="Inference.Precision.Fp32"/> (default, matches the reference),
    /// <see cref="Inference.Precision.Bf16"/> (2–3× faster where the CPU has native bfloat16, visually identical), or
    /// <see cref="Inference.Precision.Auto"/> (bf16 exactly where the CPU has it natively).
    /// </summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>
    /// Copies averaged by geometric <see cref="Inference.SelfEnsemble"/>: 1 (off, default, as the reference), 2, 4 or 8;
    /// each copy costs one more pass. Honoured by <see cref="Restorer"/>.
    /// </summary>
    public int SelfEnsemble { get; init; } = 1;

    /// <summary>What runs the network: the engine where the CPU runs it (default), the libtorch module, or ONNX Runtime.</summary>
    public InferenceRuntime Runtime { get; init; } = InferenceRuntime.Auto;

    /// <summary>
    /// With <see cref="InferenceRuntime.OnnxRuntime"/>: an exported model to run (<c>restormer export</c>); null exports
    /// the loaded model in memory. The file must come from the same checkpoint: it is run as it is.
    /// </summary>
    public string? OnnxModel { get; init; }

    /// <summary>With <see cref="InferenceRuntime.OnnxRuntime"/>: <c>cpu</c> (default), <c>cuda</c>, <c>directml</c> or <c>coreml</c>.</summary>
    public string ExecutionProvider { get; init; } = "cpu";

    /// <summary>
    /// Largest image read, in pixels (width × height declared by the file's header, checked before decoding); null
    /// for <see cref="Imaging.ImageLimits.MaxPixels"/> (40 megapixels unless <c>RESTORMER_MAX_PIXELS</c> says otherwise).
    /// </summary>
    public long? MaxPixels { get; init; }

    /// <summary>Largest memory budget accepted (1 TiB, as <c>--memory-budget</c>): beyond any machine this runs on.</summary>
    public const long MaxMemoryBudgetBytes = 1L << 40;

    /// <summary>Most intra-op threads accepted: four per core; beyond that threads only compete for the cores.</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when one cannot work (checked before any work).</summary>
    public void Validate()
    {
        if (TileSize is int tile && (tile < 8 || tile % 8 != 0))
            throw new ArgumentException($"The tile size must be a positive multiple of 8, got {tile}.");
        if (TileOverlap < 0 || TileSize is int side && TileOverlap >= side)
            throw new ArgumentException($"The tile overlap must be from 0 to less than the tile size, got {TileOverlap}.");
        if (MemoryBudgetBytes <= 0 || MemoryBudgetBytes > MaxMemoryBudgetBytes)
            throw new ArgumentException($"The memory budget must be from 1 byte to {MaxMemoryBudgetBytes >> 30} GiB, got {MemoryBudgetBytes} bytes.");
        if (Threads is int threads && (threads < 1 || threads > MaxThreads))
            throw new ArgumentException($"Threads must be from 1 to {MaxThreads} (four per core), got {threads}.");
        if (MaxPixels is long pixels && pixels < 1)
            throw new ArgumentException($"The pixel limit must be positive, got {pixels}.");
        Inference.SelfEnsemble.Validate(SelfEnsemble);
    }
}

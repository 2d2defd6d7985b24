namespace Restormer.Training.Options;

/// <summary>The <c>network_g</c> section: the Restormer constructor arguments, keys as in the reference.</summary>
public sealed record NetworkOptions
{
    /// <summary>Input channels (3 colour, 1 grey, 6 dual-pixel).</summary>
    public int InpChannels { get; init; } = 3;
    /// <summary>Output channels.</summary>
    public int OutChannels { get; init; } = 3;
    /// <summary>Width of the first level.</summary>
    public int Dim { get; init; } = 48;
    /// <summary>Transformer blocks per encoder/decoder level.</summary>
    public int[] NumBlocks { get; init; } = [4, 6, 6, 8];
    /// <summary>Blocks in the refinement stage.</summary>
    public int NumRefinementBlocks { get; init; } = 4;
    /// <summary>Attention heads per level.</summary>
    public int[] Heads { get; init; } = [1, 2, 4, 8];
    /// <summary>Hidden width factor of the gated feed-forward network.</summary>
    public double FfnExpansionFactor { get; init; } = 2.66;
    /// <summary>Whether convolutions carry a bias.</summary>
    public bool Bias { get; init; }
    /// <summary><c>WithBias</c> or <c>BiasFree</c>.</summary>
    public string LayerNormType { get; init; } = "WithBias";
    /// <summary>Dual-pixel defocus variant (6-channel input, skip convolution, no global residual).</summary>
    public bool DualPixelTask { get; init; }

    internal static NetworkOptions Parse(OptionMap map)
    {
        var type = map.Get("type", "Restormer");
        if (type != "Restormer")
            throw new OptionException($"{map.Source}: '{map.PathOf("type")}' is '{type}', but only the Restormer network is available; set 'type: Restormer'.");
        var options = new NetworkOptions
        {
            InpChannels = map.Get("inp_channels", 3),
            OutChannels = map.Get("out_channels", 3),
            Dim = map.Get("dim", 48),
            NumBlocks = map.Get("num_blocks", new[] { 4, 6, 6, 8 }),
            NumRefinementBlocks = map.Get("num_refinement_blocks", 4),
            Heads = map.Get("heads", new[] { 1, 2, 4, 8 }),
            FfnExpansionFactor = map.Get("ffn_expansion_factor", 2.66),
            Bias = map.Get("bias", false),
            LayerNormType = map.Get("LayerNorm_type", "WithBias"),
            DualPixelTask = map.Get("dual_pixel_task", false),
        };
        if (options.NumBlocks.Length != 4 || options.Heads.Length != 4)
            throw new OptionException($"{map.Source}: '{map.PathOf("num_blocks")}' and '{map.PathOf("heads")}' need four entries, one per level.");
        if (options.LayerNormType is not ("WithBias" or "BiasFree"))
            throw new OptionException($"{map.Source}: '{map.PathOf("LayerNorm_type")}' must be WithBias or BiasFree, not '{options.LayerNormType}'.");
        return options;
    }
}

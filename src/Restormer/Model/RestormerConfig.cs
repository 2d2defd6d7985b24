namespace Restormer.Model;

/// <summary>The two LayerNorm variants of the reference: <c>WithBias</c> (weight and bias) and <c>BiasFree</c> (weight only).</summary>
public enum LayerNormType
{
    /// <summary>Normalise, then scale and shift (the motion deblurring, deraining and defocus models).</summary>
    WithBias,
    /// <summary>Scale only, without subtracting the mean (the denoising models).</summary>
    BiasFree,
}

/// <summary>
/// Constructor arguments of the reference <c>Restormer</c> class, with the same meaning and defaults
/// (the full-size model of the paper: dim 48, blocks [4,6,6,8], 4 refinement blocks, heads [1,2,4,8]).
/// </summary>
public sealed record RestormerConfig
{
    /// <summary>Input channels: 3 for colour, 1 for grayscale, 6 for the dual-pixel model.</summary>
    public int InpChannels { get; init; } = 3;
    /// <summary>Output channels: 3 for colour, 1 for grayscale.</summary>
    public int OutChannels { get; init; } = 3;
    /// <summary>Feature width at level 1; it doubles at each of the three lower levels.</summary>
    public int Dim { get; init; } = 48;
    /// <summary>Transformer blocks at encoder levels 1–3 and the latent level 4; decoders mirror levels 1–3.</summary>
    public int[] NumBlocks { get; init; } = [4, 6, 6, 8];
    /// <summary>Transformer blocks in the refinement stage after decoder level 1.</summary>
    public int NumRefinementBlocks { get; init; } = 4;
    /// <summary>Attention heads per level (1–4); decoder level 1 and refinement use <c>Heads[0]</c>.</summary>
    public int[] Heads { get; init; } = [1, 2, 4, 8];
    /// <summary>GDFN hidden width is <c>⌊channels × factor⌋</c>.</summary>
    public double FfnExpansionFactor { get; init; } = 2.66;
    /// <summary>Bias in the 1×1/depthwise convolutions of MDTA and GDFN, the level reductions and the output conv.</summary>
    public bool Bias { get; init; }
    /// <summary>Which LayerNorm every transformer block uses.</summary>
    public LayerNormType LayerNormType { get; init; } = LayerNormType.WithBias;
    /// <summary>Dual-pixel defocus deblurring: 6 input channels, a 1×1 <c>skip_conv</c>, no global residual.</summary>
    public bool DualPixelTask { get; init; }

    /// <summary>Hidden width of the GDFN at a level with <paramref name="channels"/> channels, as the reference computes it.</summary>
    public int HiddenChannels(int channels) => (int)(channels * FfnExpansionFactor);

    /// <summary>Throws <see cref="ArgumentException"/> when the arguments cannot build a network.</summary>
    public void Validate()
    {
        if (InpChannels < 1 || OutChannels < 1 || Dim < 1)
            throw new ArgumentException($"Channels and dim must be positive (inp {InpChannels}, out {OutChannels}, dim {Dim}).");
        if (NumBlocks.Length != 4 || NumBlocks.Any(n => n < 1))
            throw new ArgumentException($"num_blocks needs 4 positive counts, got [{string.Join(", ", NumBlocks)}].");
        if (Heads.Length != 4 || Heads.Any(h => h < 1))
            throw new ArgumentException($"heads needs 4 positive counts, got [{string.Join(", ", Heads)}].");
        for (int level = 0; level < 4; level++)
            if (Dim * (1 << level) % Heads[level] != 0)
                throw new ArgumentException($"Level {level + 1} has {Dim << level} channels, not divisible by {Heads[level]} heads.");
        if (Dim * 2 % Heads[0] != 0)
            throw new ArgumentException($"Decoder level 1 has {Dim * 2} channels, not divisible by {Heads[0]} heads.");
        if (NumRefinementBlocks < 0 || FfnExpansionFactor <= 0)
            throw new ArgumentException("num_refinement_blocks must be ≥ 0 and ffn_expansion_factor > 0.");
    }

    /// <summary>The shape as the reference's constructor call would read, for messages and model cards.</summary>
    public override string ToString() =>
        $"Restormer(inp_channels={InpChannels}, out_channels={OutChannels}, dim={Dim}, num_blocks=[{string.Join(",", NumBlocks)}], " +
        $"num_refinement_blocks={NumRefinementBlocks}, heads=[{string.Join(",", Heads)}], ffn_expansion_factor={FfnExpansionFactor}, " +
        $"bias={Bias}, LayerNorm_type={LayerNormType}, dual_pixel_task={DualPixelTask})";
}

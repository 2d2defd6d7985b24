using Restormer.Model;

namespace Restormer.Inference;

/// <summary>
/// Multiply–accumulates of one forward pass of the reference network, counted analytically: every convolution,
/// MDTA's two attention products (q·kᵀ and A·v). Normalisations, softmax, GELU and additions are not counted, as
/// usual. The full-size model at 256×256 is 154.9 GMAC (the paper's "140 GFLOPs" is computed by another tool).
/// </summary>
public static class ModelCost
{
    /// <summary>MACs for an input of <paramref name="height"/>×<paramref name="width"/> (multiples of 8).</summary>
    public static double MultiplyAccumulates(RestormerConfig config, int height, int width)
    {
        double p1 = (double)height * width, p2 = p1 / 4, p3 = p1 / 16, p4 = p1 / 64;
        int dim = config.Dim;
        double macs = BlockGroups(config).Sum(g => g.Count * Block(config, (int)g.Channels, p1 / (1 << 2 * g.Level), g.Heads));
        macs += 9 * p1 * config.InpChannels * dim                                               // patch_embed
            + 9 * (p1 * dim * (dim / 2) + p2 * 2 * dim * dim + p3 * 4 * dim * 2 * dim)          // down1_2 … down3_4
            + 9 * (p4 * 8 * dim * 16 * dim + p3 * 4 * dim * 8 * dim + p2 * 2 * dim * 4 * dim)   // up4_3 … up2_1
            + p3 * 8 * dim * 4 * dim + p2 * 4 * dim * 2 * dim                                   // reduce_chan_level3, 2
            + (config.DualPixelTask ? p1 * dim * 2 * dim : 0)                                   // skip_conv
            + 9 * p1 * 2 * dim * config.OutChannels;                                            // output
        return macs;
    }

    /// <summary>
    /// The network's weights (every value of its state dict), counted from the architecture alone, in floating point
    /// so that any width a file may declare is counted without overflow: what a checkpoint must hold before a network
    /// is built for it.
    /// </summary>
    public static double Parameters(RestormerConfig config)
    {
        double dim = config.Dim, bias = config.Bias ? 1 : 0;
        double Block(double c, int h)
        {
            double hidden = Math.Floor(c * config.FfnExpansionFactor), norms = 2 * c * (config.LayerNormType == LayerNormType.WithBias ? 2 : 1);
            double attention = h + 3 * c * (c + bias) + 3 * c * (9 + bias) + c * (c + bias);
            double feedForward = 2 * hidden * (c + bias) + 2 * hidden * (9 + bias) + c * (hidden + bias);
            return norms + attention + feedForward;
        }
        return BlockGroups(config).Sum(g => g.Count * Block(g.Channels, g.Heads))
            + 9 * dim * config.InpChannels                                                      // patch_embed
            + 9 * (dim * Math.Floor(dim / 2) + 2 * dim * dim + 4 * dim * 2 * dim)              // down1_2 … down3_4
            + 9 * (8 * dim * 16 * dim + 4 * dim * 8 * dim + 2 * dim * 4 * dim)                 // up4_3 … up2_1
            + 4 * dim * (8 * dim + bias) + 2 * dim * (4 * dim + bias)                          // reduce_chan_level3, 2
            + (config.DualPixelTask ? 2 * dim * (dim + bias) : 0)                              // skip_conv
            + config.OutChannels * (9 * 2 * dim + bias);                                       // output
    }

    /// <summary>
    /// The Transformer blocks of Fig. 2 as groups of equal ones: how many, their channels, heads, and level (0 at full
    /// resolution, each level a quarter of the pixels): encoder levels 1–3 and the latent, decoder levels 3 and 2, and
    /// decoder level 1 with the refinement blocks. Channels in floating point, so that any width counts without overflow.
    /// </summary>
    private static IEnumerable<(int Count, double Channels, int Heads, int Level)> BlockGroups(RestormerConfig config)
    {
        var (blocks, heads, dim) = (config.NumBlocks, config.Heads, (double)config.Dim);
        for (int level = 0; level < 4; level++) yield return (blocks[level], dim * (1 << level), heads[level], level);
        for (int level = 2; level > 0; level--) yield return (blocks[level], dim * (1 << level), heads[level], level);
        yield return (blocks[0] + config.NumRefinementBlocks, 2 * dim, heads[0], 0);
    }

    /// <summary>One Transformer block of <paramref name="channels"/> channels over <paramref name="pixels"/> pixels.</summary>
    internal static double Block(RestormerConfig config, int channels, double pixels, int heads)
    {
        var (statistics, mixing, feedForward) = BlockPerPixel(config, channels, heads);
        return pixels * (statistics + mixing + feedForward);
    }

    /// <summary>
    /// A block's MACs per pixel in the three passes the engine makes over the bands: MDTA up to q·kᵀ (qkv, its
    /// depthwise conv, q·kᵀ), A·v with project_out, and GDFN (project_in, depthwise conv, project_out).
    /// </summary>
    internal static (double Statistics, double Mixing, double FeedForward) BlockPerPixel(RestormerConfig config, int channels, int heads)
    {
        double c = channels, hidden = config.HiddenChannels(channels);
        return (3 * c * c + 27 * c + c * c / heads, c * c / heads + c * c, 2 * hidden * c + 18 * hidden + hidden * c);
    }
}

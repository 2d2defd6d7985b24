using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>
/// Growing a trained network deeper (Net2DeeperNet, Chen et al., ICLR 2016). A Transformer block computes
/// x + MDTA(LN(x)) and then x + GDFN(LN(x)); with the 1×1 output projections of both at zero it passes its input
/// through unchanged. Blocks that the pre-trained weights lack start that way, so the deeper network begins with
/// exactly the shallower one's output and training only has to add to it. The projections get gradients at once
/// (their input is not zero), so the new blocks start learning on the first step.
/// </summary>
public static class IdentityBlocks
{
    static readonly string[] Projections = [".attn.project_out.", ".ffn.project_out."];

    /// <summary>
    /// Zeroes both output projections of every Transformer block of <paramref name="net"/> none of whose weights is in
    /// <paramref name="loaded"/> (the names taken from the checkpoint); returns those blocks' names, e.g. <c>latent.2</c>.
    /// </summary>
    public static IReadOnlyList<string> Initialise(RestormerNet net, IReadOnlySet<string> loaded)
    {
        var projections = net.state_dict().Select(p => (Block: BlockOf(p.Key), Weight: p.Value))
            .Where(p => p.Block is { } block && !loaded.Any(name => name.StartsWith(block + ".", StringComparison.Ordinal))).ToList();
        using var noGrad = no_grad();
        foreach (var (_, weight) in projections)
            weight.zero_();
        return projections.Select(p => p.Block!).Distinct().ToList();
    }

    /// <summary>The block an output projection weight belongs to (<c>latent.2.attn.project_out.weight</c> → <c>latent.2</c>); null for any other weight.</summary>
    static string? BlockOf(string name)
    {
        foreach (var projection in Projections)
            if (name.IndexOf(projection, StringComparison.Ordinal) is var at and > 0)
                return name[..at];
        return null;
    }
}

using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>
/// Reads a <see cref="RestormerConfig"/> off a reference state dict (names and shapes only), so any published or
/// trained checkpoint restores without the user repeating its constructor arguments.
/// </summary>
public static partial class ArchitectureInference
{
    /// <summary>Infers the constructor arguments; throws <see cref="InvalidDataException"/> when the tensors are not a Restormer.</summary>
    public static RestormerConfig FromStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var embed = Require(state, "patch_embed.proj.weight", 4);
        var output = Require(state, "output.weight", 4);
        int dim = (int)embed.shape[0];
        string[] encoders = ["encoder_level1", "encoder_level2", "encoder_level3", "latent"];
        var blocks = encoders.Select(level => CountBlocks(state, level)).ToArray();
        var heads = encoders.Select(level => (int)Require(state, $"{level}.0.attn.temperature", 3).shape[0]).ToArray();
        var config = new RestormerConfig
        {
            InpChannels = (int)embed.shape[1],
            OutChannels = (int)output.shape[0],
            Dim = dim,
            NumBlocks = blocks,
            NumRefinementBlocks = CountBlocks(state, "refinement"),
            Heads = heads,
            FfnExpansionFactor = InferExpansionFactor(state, dim),
            Bias = state.ContainsKey("encoder_level1.0.attn.qkv.bias"),
            LayerNormType = state.ContainsKey("encoder_level1.0.norm1.body.bias") ? LayerNormType.WithBias : LayerNormType.BiasFree,
            DualPixelTask = state.ContainsKey("skip_conv.weight"),
        };
        config.Validate();
        return config;
    }

    /// <summary>The named tensor, checked to have the rank a Restormer gives it before its sizes are read.</summary>
    private static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name, int rank)
    {
        if (!state.TryGetValue(name, out var tensor))
            throw new InvalidDataException($"not a Restormer state dict: '{name}' is missing");
        if (tensor.dim() != rank || tensor.shape.Any(size => size < 1))
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(",", tensor.shape)}], expected {rank} positive dimensions");
        return tensor;
    }

    /// <summary>
    /// Blocks at a level: one more than the highest index among its tensor names. Every block holds tensors, so an
    /// index at or above the number of tensors in the file cannot be a real block (a crafted name such as
    /// <c>latent.2000000000.x</c> would otherwise build two billion blocks).
    /// </summary>
    private static int CountBlocks(IReadOnlyDictionary<string, Tensor> state, string level)
    {
        var prefix = level + ".";
        int count = 0;
        foreach (var key in state.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = BlockIndex().Match(key, prefix.Length);
            if (!match.Success) continue;
            if (!int.TryParse(match.Groups[1].Value, out int index) || index >= state.Count)
                throw new InvalidDataException($"tensor '{Abbreviate(key)}' names block {Abbreviate(match.Groups[1].Value)} of {level}, but the file holds only {state.Count} tensors");
            count = Math.Max(count, index + 1);
        }
        return count;
    }

    /// <summary>A name from the file, cut to a readable length for messages (a key may be megabytes long).</summary>
    internal static string Abbreviate(string name) => name.Length <= 200 ? name : $"{name[..120]}…({name.Length:N0} characters)";

    /// <summary>
    /// The reference stores only ⌊C·factor⌋ per level, so the factor is known up to an interval. We prefer the paper's
    /// 2.66 (every published model) when it reproduces every level's width, else the smallest factor that does.
    /// </summary>
    private static double InferExpansionFactor(IReadOnlyDictionary<string, Tensor> state, int dim)
    {
        var widths = new List<(int Channels, int Hidden, string Name, long[] Shape)>();
        foreach (var (level, channels) in new[] { ("encoder_level1", dim), ("encoder_level2", dim * 2), ("encoder_level3", dim * 4), ("latent", dim * 8), ("decoder_level1", dim * 2) })
        {
            var name = $"{level}.0.ffn.project_out.weight";
            if (state.ContainsKey(name))
            {
                var shape = Require(state, name, 4).shape;
                widths.Add((channels, (int)shape[1], name, shape));
            }
        }
        if (widths.Count == 0)
            throw new InvalidDataException("not a Restormer state dict: no 'ffn.project_out.weight' found");

        bool Fits(double f) => widths.All(x => (int)(x.Channels * f) == x.Hidden);
        if (Fits(2.66)) return 2.66;
        double low = widths.Max(x => (double)x.Hidden / x.Channels);
        foreach (var candidate in new[] { Math.Round(low, 2), Math.Round(low, 4), low, low + 1e-9 })
            if (Fits(candidate)) return candidate;
        throw new InvalidDataException("the GDFN widths fit no single ffn_expansion_factor: " +
            string.Join(", ", widths.Select(x => $"'{x.Name}' has shape [{string.Join(",", x.Shape)}] for {x.Channels} channels")));
    }

    [GeneratedRegex(@"\G(\d+)\.")]
    private static partial Regex BlockIndex();
}

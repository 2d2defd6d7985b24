using Restormer.Model;

namespace Restormer.Training.Options;

/// <summary>Reads the <c>network_g</c> section: the reference's Restormer constructor arguments, key for key.</summary>
public static class NetworkOptions
{
    internal static RestormerConfig Parse(OptionMap map)
    {
        var type = map.Get("type", "Restormer");
        if (type != "Restormer")
            throw new OptionException($"{map.Source}: '{map.PathOf("type")}' is '{type}', but only the Restormer network is available; set 'type: Restormer'.");
        var defaults = new RestormerConfig();
        var layerNorm = map.Get("LayerNorm_type", defaults.LayerNormType.ToString());
        var config = new RestormerConfig
        {
            InpChannels = map.Get("inp_channels", defaults.InpChannels),
            OutChannels = map.Get("out_channels", defaults.OutChannels),
            Dim = map.Get("dim", defaults.Dim),
            NumBlocks = map.Get("num_blocks", defaults.NumBlocks),
            NumRefinementBlocks = map.Get("num_refinement_blocks", defaults.NumRefinementBlocks),
            Heads = map.Get("heads", defaults.Heads),
            FfnExpansionFactor = map.Get("ffn_expansion_factor", defaults.FfnExpansionFactor),
            Bias = map.Get("bias", defaults.Bias),
            LayerNormType = Enum.TryParse<LayerNormType>(layerNorm, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new OptionException($"{map.Source}: '{map.PathOf("LayerNorm_type")}' must be WithBias or BiasFree, not '{layerNorm}'."),
            DualPixelTask = map.Get("dual_pixel_task", defaults.DualPixelTask),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new OptionException($"{map.Source}: section '{map.Path}' cannot build a network: {e.Message}", e);
        }
        return config;
    }
}

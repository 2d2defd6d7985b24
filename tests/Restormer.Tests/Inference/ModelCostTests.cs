using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Tests.Inference;

/// <summary>The analytic MAC count against a count over the module's own layers.</summary>
public class ModelCostTests
{
    /// <summary>MACs counted from the network's parameters: every conv at the resolution its module runs at, plus q·kᵀ and A·v.</summary>
    private static double CountFromLayers(RestormerNet model, int height, int width)
    {
        double full = (double)height * width;
        double Pixels(string name) => name.Split('.')[0] switch
        {
            "patch_embed" or "encoder_level1" or "down1_2" or "decoder_level1" or "refinement" or "output" or "skip_conv" => full,
            "encoder_level2" or "down2_3" or "up2_1" or "reduce_chan_level2" or "decoder_level2" => full / 4,
            "encoder_level3" or "down3_4" or "up3_2" or "reduce_chan_level3" or "decoder_level3" => full / 16,
            "latent" or "up4_3" => full / 64,
            var other => throw new InvalidOperationException($"unexpected module {other}"),
        };
        double macs = 0;
        foreach (var (name, tensor) in model.state_dict())
        {
            if (name.EndsWith(".weight") && tensor.dim() == 4) // every convolution: out × in/groups × k × k per pixel
                macs += Pixels(name) * tensor.shape[0] * tensor.shape[1] * tensor.shape[2] * tensor.shape[3];
            if (name.EndsWith("attn.temperature")) // q·kᵀ and A·v: 2 · C²/heads per pixel
            {
                var channels = model.state_dict()[name.Replace("temperature", "project_out.weight")].shape[0];
                macs += Pixels(name) * 2.0 * channels * channels / tensor.shape[0];
            }
        }
        return macs;
    }

    [Fact]
    public void FullSizeModelIs155GigaMacsAt256Squared()
    {
        using var model = new RestormerNet(new RestormerConfig());
        double macs = ModelCost.MultiplyAccumulates(model.Config, 256, 256);
        Assert.InRange(macs / 1e9, 154.5, 155.5);
        Assert.Equal(CountFromLayers(model, 256, 256), macs, 1e-9 * macs);
    }

    [Fact]
    public void CountsEveryLayerOfOtherArchitectures()
    {
        var config = new RestormerConfig { Dim = 16, NumBlocks = [1, 2, 1, 2], NumRefinementBlocks = 1, Heads = [1, 2, 2, 4], Bias = true, DualPixelTask = true, InpChannels = 6 };
        using var model = new RestormerNet(config);
        Assert.Equal(CountFromLayers(model, 64, 40), ModelCost.MultiplyAccumulates(config, 64, 40), 1e-6);
    }
}

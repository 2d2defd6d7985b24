using Restormer.Interop;
using Restormer.Model;
using Restormer.Training;
using static TorchSharp.torch;

namespace Restormer.Tests.Training;

public class TrainingIdentityBlocksTests
{
    static RestormerNet Net(int[] blocks) =>
        new(new RestormerConfig { Dim = 8, NumBlocks = blocks, NumRefinementBlocks = 1, Heads = [1, 2, 4, 8] });

    [Fact]
    public void ADeeperNetworkStartsWithTheShallowerOnesOutput()
    {
        manual_seed(3);
        using var shallow = Net([1, 1, 1, 1]);
        using var deeper = Net([1, 2, 1, 2]);
        var state = shallow.state_dict();
        deeper.LoadStateDict(state, strict: false);
        var x = rand(1, 3, 16, 16);
        using (no_grad())
            Assert.False(GcPause.Run(() => deeper.call(x).allclose(shallow.call(x), 0, 1e-3)), "random new blocks already give the same output");

        var grown = IdentityBlocks.Initialise(deeper, state.Keys.ToHashSet());

        Assert.Equal(["decoder_level2.1", "encoder_level2.1", "latent.1"], grown.Order(StringComparer.Ordinal));
        using (no_grad())
            Assert.True(GcPause.Run(() => deeper.call(x).allclose(shallow.call(x), 0, 1e-6)), "the grown network's output differs from the shallow one's");

        // The new blocks learn from the first step: their zeroed projections get gradients.
        GcPause.Run(() => deeper.call(x).square().sum().backward());
        var projection = deeper.named_parameters().Single(p => p.name == "latent.1.ffn.project_out.weight").parameter;
        Assert.True(projection.grad!.abs().max().item<float>() > 0);
    }
}

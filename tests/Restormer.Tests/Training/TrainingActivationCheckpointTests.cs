using Restormer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Tests.Training;

public class TrainingActivationCheckpointTests
{
    [Fact]
    public void RecomputedBackwardGivesTheSameGradients()
    {
        manual_seed(1);
        var block = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.GELU(), nn.Conv2d(8, 3, 3, padding: 1));
        var x = randn(2, 3, 8, 8).requires_grad_(true);

        var plain = block.call(x).square().sum();
        plain.backward();
        var inputGrad = x.grad!.clone();
        var parameterGrads = block.parameters().Select(p => p.grad!.clone()).ToList();
        x.grad!.zero_();
        block.zero_grad();

        var checkpointed = ActivationCheckpoint.Run(block, x).square().sum();
        checkpointed.backward();

        Assert.Equal(plain.item<float>(), checkpointed.item<float>(), 4);
        Assert.True(x.grad!.allclose(inputGrad, 1e-5, 1e-6));
        foreach (var (p, g) in block.parameters().Zip(parameterGrads))
            Assert.True(p.grad!.allclose(g, 1e-5, 1e-6));
    }

    [Fact]
    public void WithoutGradientsItIsAPlainCall()
    {
        var block = nn.Linear(4, 4);
        using var noGrad = no_grad();
        var y = ActivationCheckpoint.Run(block, ones(1, 4));
        Assert.False(y.requires_grad);
        Assert.True(y.allclose(block.call(ones(1, 4))));
    }
}

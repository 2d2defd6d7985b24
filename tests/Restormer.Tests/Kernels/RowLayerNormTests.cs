using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Tests.Kernels;

/// <summary>The LayerNorm kernel against libtorch's layer_norm and the reference's BiasFree formula.</summary>
public unsafe class RowLayerNormTests
{
    [Theory]
    [InlineData(48)]
    [InlineData(8)]   // shorter than a vector
    [InlineData(35)]  // a partial last vector
    public void WithBiasIsLayerNormWithoutAffine(int channels)
    {
        using var x = randn(300, channels) * 3 + 2;
        using var output = empty(300, channels);
        RowLayerNorm.Run<Float32Storage>((float*)TensorMemory.Address(x), TensorMemory.Address(output), 300, channels, subtractMean: true);
        using var expected = nn.functional.layer_norm(x, [channels]);
        Assert.True((output - expected).abs().max().item<float>() < 1e-5f);
    }

    [Theory]
    [InlineData(96)]
    [InlineData(35)]
    public void BiasFreeDividesXItselfByTheStandardDeviation(int channels)
    {
        using var x = randn(300, channels) * 3 + 2;
        using var output = empty(300, channels);
        RowLayerNorm.Run<Float32Storage>((float*)TensorMemory.Address(x), TensorMemory.Address(output), 300, channels, subtractMean: false);
        using var variance = x.var(1, unbiased: false, keepdim: true);
        using var expected = x / (variance + 1e-5).sqrt();
        Assert.True((output - expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void WritesBFloat16RoundedToNearestEven()
    {
        using var x = randn(64, 48);
        using var output = empty(64, 48, dtype: ScalarType.BFloat16);
        RowLayerNorm.Run<BFloat16Storage>((float*)TensorMemory.Address(x), TensorMemory.Address(output), 64, 48, subtractMean: true);
        using var expected = nn.functional.layer_norm(x, [48]).to(ScalarType.BFloat16);
        using var difference = (output.to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs();
        // Equal except where the float32 results straddle a rounding boundary: then one bfloat16 step.
        Assert.True((difference <= expected.to(ScalarType.Float32).abs() * (1f / 128)).all().item<bool>());
        Assert.True((difference == 0).to(ScalarType.Float32).mean().item<float>() > 0.95f);
    }
}

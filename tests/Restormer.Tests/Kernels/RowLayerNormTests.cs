using Restormer.Engine;
using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Tests.Kernels;

/// <summary>The LayerNorm kernel, at both vector widths, against libtorch's layer_norm and the reference's BiasFree formula.</summary>
public unsafe class RowLayerNormTests
{
    [SkippableTheory]
    [InlineData(EngineIsa.Avx512, 48)]
    [InlineData(EngineIsa.Avx512, 8)]   // shorter than a vector
    [InlineData(EngineIsa.Avx512, 35)]  // a partial last vector
    [InlineData(EngineIsa.Avx2, 48)]
    [InlineData(EngineIsa.Avx2, 5)]
    [InlineData(EngineIsa.Avx2, 35)]
    public void WithBiasIsLayerNormWithoutAffine(EngineIsa isa, int channels)
    {
        var kernels = DepthwiseConv3x3Tests.KernelsOf(isa, bfloat16: false);
        using var x = randn(300, channels) * 3 + 2;
        using var output = empty(300, channels);
        kernels.LayerNorm((float*)TensorMemory.Address(x), TensorMemory.Address(output), 300, channels, subtractMean: true);
        using var expected = nn.functional.layer_norm(x, [channels]);
        Assert.True((output - expected).abs().max().item<float>() < 1e-5f);
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512, 96)]
    [InlineData(EngineIsa.Avx512, 35)]
    [InlineData(EngineIsa.Avx2, 96)]
    [InlineData(EngineIsa.Avx2, 35)]
    public void BiasFreeDividesXItselfByTheStandardDeviation(EngineIsa isa, int channels)
    {
        var kernels = DepthwiseConv3x3Tests.KernelsOf(isa, bfloat16: false);
        using var x = randn(300, channels) * 3 + 2;
        using var output = empty(300, channels);
        kernels.LayerNorm((float*)TensorMemory.Address(x), TensorMemory.Address(output), 300, channels, subtractMean: false);
        using var variance = x.var(1, unbiased: false, keepdim: true);
        using var expected = x / (variance + 1e-5).sqrt();
        Assert.True((output - expected).abs().max().item<float>() < 1e-5f);
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512, 48)]
    [InlineData(EngineIsa.Avx512, 35)] // masked 16-bit stores at the row's end
    [InlineData(EngineIsa.Avx2, 48)]
    [InlineData(EngineIsa.Avx2, 35)]
    public void WritesBFloat16RoundedToNearestEven(EngineIsa isa, int channels)
    {
        var kernels = DepthwiseConv3x3Tests.KernelsOf(isa, bfloat16: true);
        using var x = randn(64, channels);
        using var output = full(64 * channels + 16, 7f, dtype: ScalarType.BFloat16);
        kernels.LayerNorm((float*)TensorMemory.Address(x), TensorMemory.Address(output), 64, channels, subtractMean: true);
        Assert.True(output.narrow(0, 64 * channels, 16).eq(7f).all().item<bool>(), "wrote past the last pixel");
        using var rows = output.narrow(0, 0, 64 * channels).view(64, channels);
        using var expected = nn.functional.layer_norm(x, [channels]).to(ScalarType.BFloat16);
        using var difference = (rows.to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs();
        // Equal except where the float32 results straddle a rounding boundary: then one bfloat16 step.
        Assert.True((difference <= expected.to(ScalarType.Float32).abs() * (1f / 128)).all().item<bool>());
        Assert.True((difference == 0).to(ScalarType.Float32).mean().item<float>() > 0.95f);
    }
}

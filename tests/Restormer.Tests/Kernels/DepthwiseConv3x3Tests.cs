using Restormer.Engine;
using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Tests.Kernels;

/// <summary>The fused depthwise kernels, at both vector widths, against libtorch's grouped convolution, GELU and products.</summary>
public unsafe class DepthwiseConv3x3Tests
{
    private const int Rows = 5, Width = 37, Channels = 64;

    /// <summary>A band with random contents (halo rows included), weights and biases.</summary>
    private sealed class Band : IDisposable
    {
        public readonly Tensor Data = randn(Rows + 2, Width, Channels);
        public readonly Tensor Taps = randn(9, Channels) * 0.3f;
        public readonly Tensor InputBias = randn(Channels) * 0.1f;
        public readonly Tensor OutputBias = randn(Channels) * 0.1f;

        private readonly byte** rowData = (byte**)System.Runtime.InteropServices.NativeMemory.Alloc(Rows + 2, (nuint)sizeof(byte*));

        private Tensor? reversed;

        /// <summary>The kernel's view of <paramref name="data"/>: its rows stored in reverse order, found through the row pointers.</summary>
        public DepthwiseBand Describe(Tensor data, bool topInside, bool bottomInside)
        {
            reversed?.Dispose();
            reversed = data.flip(0).contiguous();
            long rowBytes = (long)Width * Channels * data.element_size();
            for (int i = 0; i < Rows + 2; i++) rowData[i] = TensorMemory.Address(reversed) + (Rows + 1 - i) * rowBytes;
            return new()
            {
                RowData = rowData, Rows = Rows, Width = Width, Channels = Channels,
                TopInside = topInside, BottomInside = bottomInside,
                Taps = (float*)TensorMemory.Address(Taps), InputBias = (float*)TensorMemory.Address(InputBias),
                OutputBias = (float*)TensorMemory.Address(OutputBias),
            };
        }

        /// <summary>What the band means: the 1×1 bias added inside the image, zero rows outside, then conv2d with padding 1.</summary>
        public Tensor Reference(bool topInside, bool bottomInside)
        {
            var rows = Data + InputBias;
            if (!topInside) rows[0] = zeros(Width, Channels);
            if (!bottomInside) rows[Rows + 1] = zeros(Width, Channels);
            var weight = Taps.t().reshape(Channels, 1, 3, 3);
            var output = nn.functional.conv2d(rows.permute(2, 0, 1).unsqueeze(0), weight, OutputBias, padding: [0, 1], groups: Channels);
            return output[0].permute(1, 2, 0); // [Rows, Width, Channels]
        }

        public void Dispose()
        {
            Data.Dispose(); Taps.Dispose(); InputBias.Dispose(); OutputBias.Dispose(); reversed?.Dispose();
            System.Runtime.InteropServices.NativeMemory.Free(rowData);
        }
    }

    /// <summary>The kernels of <paramref name="isa"/>; skips where this CPU (or runtime setting) does not run them.</summary>
    internal static FusedKernels KernelsOf(EngineIsa isa, bool bfloat16)
    {
        Skip.IfNot(isa.IsSupported(), $"this CPU does not run the {isa.Name()} kernels");
        return FusedKernels.For(isa, bfloat16);
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512, true, true)]
    [InlineData(EngineIsa.Avx512, false, true)]  // band at the top of the image
    [InlineData(EngineIsa.Avx512, true, false)]  // band at the bottom
    [InlineData(EngineIsa.Avx512, false, false)] // the whole image in one band
    [InlineData(EngineIsa.Avx2, true, true)]
    [InlineData(EngineIsa.Avx2, false, true)]
    [InlineData(EngineIsa.Avx2, true, false)]
    [InlineData(EngineIsa.Avx2, false, false)]
    public void SplitMatchesGroupedConvolutionAndSumsSquares(EngineIsa isa, bool topInside, bool bottomInside)
    {
        var kernels = KernelsOf(isa, bfloat16: false);
        using var band = new Band();
        // What lies outside the image must not matter, even NaN.
        if (!topInside) band.Data[0] = full(Width, Channels, float.NaN);
        if (!bottomInside) band.Data[Rows + 1] = full(Width, Channels, float.NaN);
        using var first = empty(Rows, Width, 48);
        using var second = empty(Rows, Width, 16);
        var squares = new float[32];
        kernels.Split(band.Describe(band.Data, topInside, bottomInside),
            TensorMemory.Address(first), 48, TensorMemory.Address(second), squares);

        using var expected = band.Reference(topInside, bottomInside);
        Assert.True((cat([first, second], 2) - expected).abs().max().item<float>() < 1e-5f);
        using var expectedSquares = expected.narrow(2, 0, 32).square().sum([0, 1]);
        Assert.True((tensor(squares) - expectedSquares).abs().max().item<float>() < 1e-4f * expectedSquares.max().item<float>());
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512, true, true)]
    [InlineData(EngineIsa.Avx512, false, false)]
    [InlineData(EngineIsa.Avx2, true, true)]
    [InlineData(EngineIsa.Avx2, false, false)]
    public void GatedIsGeluOfFirstHalfTimesSecondHalf(EngineIsa isa, bool topInside, bool bottomInside)
    {
        var kernels = KernelsOf(isa, bfloat16: false);
        using var band = new Band();
        using var output = empty(Rows, Width, Channels / 2);
        kernels.Gated(band.Describe(band.Data, topInside, bottomInside), TensorMemory.Address(output));
        using var conv = band.Reference(topInside, bottomInside);
        using var expected = nn.functional.gelu(conv.narrow(2, 0, Channels / 2)) * conv.narrow(2, Channels / 2, Channels / 2);
        Assert.True((output - expected).abs().max().item<float>() < 1e-5f);
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512)]
    [InlineData(EngineIsa.Avx2)]
    public void BFloat16StorageRoundsOnlyTheInputsAndOutputs(EngineIsa isa)
    {
        var kernels = KernelsOf(isa, bfloat16: true);
        using var band = new Band();
        using var data = band.Data.to(ScalarType.BFloat16);
        using var output = empty(Rows, Width, Channels / 2, dtype: ScalarType.BFloat16);
        kernels.Gated(band.Describe(data, true, true), TensorMemory.Address(output));
        band.Data.copy_(data); // the reference sees the same rounded inputs
        using var conv = band.Reference(true, true);
        using var expected = (nn.functional.gelu(conv.narrow(2, 0, Channels / 2)) * conv.narrow(2, Channels / 2, Channels / 2)).to(ScalarType.BFloat16);
        // Float32 arithmetic inside, one rounding at the end: at most one bfloat16 step apart from the reference.
        using var difference = (output.to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs();
        Assert.True((difference <= expected.to(ScalarType.Float32).abs() * (1f / 128) + 1e-6f).all().item<bool>());
    }
}

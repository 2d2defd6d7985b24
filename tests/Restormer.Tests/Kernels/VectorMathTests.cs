using Restormer.Engine;
using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Tests.Kernels;

/// <summary>The vector GELU and bfloat16 rounding, at both vector widths, against libtorch.</summary>
public unsafe class VectorMathTests
{
    [SkippableTheory]
    [InlineData(EngineIsa.Avx512)]
    [InlineData(EngineIsa.Avx2)]
    public void GeluMatchesLibtorchExactGelu(EngineIsa isa)
    {
        Skip.IfNot(isa.IsSupported(), $"this CPU does not run the {isa.Name()} kernels");
        if (isa == EngineIsa.Avx512) Gelu<Lanes512>(); else Gelu<Lanes256>();
    }

    private static void Gelu<TLanes>() where TLanes : struct, IFloatLanes<TLanes>
    {
        using var x = linspace(-12, 12, 48000);
        using var output = empty_like(x);
        float* source = (float*)TensorMemory.Address(x), target = (float*)TensorMemory.Address(output);
        for (int i = 0; i < 48000; i += TLanes.Count)
            VectorMath.Gelu(TLanes.Load(source + i)).Store(target + i);
        using var expected = nn.functional.gelu(x);
        Assert.True((output - expected).abs().max().item<float>() < 2e-6f);
    }

    [SkippableTheory]
    [InlineData(EngineIsa.Avx512)]
    [InlineData(EngineIsa.Avx2)]
    public void BFloat16StoreRoundsLikeLibtorch(EngineIsa isa)
    {
        Skip.IfNot(isa.IsSupported(), $"this CPU does not run the {isa.Name()} kernels");
        if (isa == EngineIsa.Avx512) BFloat16RoundTrip<Lanes512>(); else BFloat16RoundTrip<Lanes256>();
    }

    private static void BFloat16RoundTrip<TLanes>() where TLanes : struct, IFloatLanes<TLanes>
    {
        // Random values plus exact ties (bit 15 set, lower bits clear), which must round to even.
        using var random = randn(4096) * 100;
        var values = random.data<float>().ToArray();
        for (int i = 0; i < 64; i++)
            values[i] = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(values[i]) & ~0xFFFF) | 0x8000);
        using var input = tensor(values);
        using var output = empty(4096, dtype: ScalarType.BFloat16);
        byte* source = TensorMemory.Address(input), target = TensorMemory.Address(output);
        for (int i = 0; i < 4096; i += TLanes.Count)
            BFloat16Storage.Store(target + 2 * i, Float32Storage.Load<TLanes>(source + 4 * i));
        using var expected = input.to(ScalarType.BFloat16);
        Assert.True(output.eq(expected).all().item<bool>());
        using var widened = empty(4096);
        byte* back = TensorMemory.Address(widened);
        for (int i = 0; i < 4096; i += TLanes.Count)
            Float32Storage.Store(back + 4 * i, BFloat16Storage.Load<TLanes>(target + 2 * i));
        Assert.True(widened.eq(expected.to(ScalarType.Float32)).all().item<bool>());
    }
}

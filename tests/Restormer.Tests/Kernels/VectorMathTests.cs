using System.Runtime.Intrinsics;
using Restormer.Kernels;
using static TorchSharp.torch;

namespace Restormer.Tests.Kernels;

/// <summary>The vector GELU and bfloat16 rounding against libtorch.</summary>
public unsafe class VectorMathTests
{
    [Fact]
    public void GeluMatchesLibtorchExactGelu()
    {
        using var x = linspace(-12, 12, 48000);
        using var output = empty_like(x);
        float* source = (float*)TensorMemory.Address(x), target = (float*)TensorMemory.Address(output);
        for (int i = 0; i < 48000; i += 16)
            VectorMath.Gelu(Vector512.Load(source + i)).Store(target + i);
        using var expected = nn.functional.gelu(x);
        Assert.True((output - expected).abs().max().item<float>() < 2e-6f);
    }

    [Fact]
    public void BFloat16StoreRoundsLikeLibtorch()
    {
        // Random values plus exact ties (bit 15 set, lower bits clear), which must round to even.
        using var random = randn(4096) * 100;
        var values = random.data<float>().ToArray();
        for (int i = 0; i < 64; i++)
            values[i] = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(values[i]) & ~0xFFFF) | 0x8000);
        using var input = tensor(values);
        using var output = empty(4096, dtype: ScalarType.BFloat16);
        byte* source = TensorMemory.Address(input), target = TensorMemory.Address(output);
        for (int i = 0; i < 4096; i += 16)
            BFloat16Storage.Store(target + 2 * i, Float32Storage.Load(source + 4 * i));
        using var expected = input.to(ScalarType.BFloat16);
        Assert.True(output.eq(expected).all().item<bool>());
        using var widened = empty(4096);
        byte* back = TensorMemory.Address(widened);
        for (int i = 0; i < 4096; i += 16)
            Float32Storage.Store(back + 4 * i, BFloat16Storage.Load(target + 2 * i));
        Assert.True(widened.eq(expected.to(ScalarType.Float32)).all().item<bool>());
    }
}

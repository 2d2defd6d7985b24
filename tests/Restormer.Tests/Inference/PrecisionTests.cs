using Restormer.Inference;
using Restormer.Engine;
using Restormer.Platform;

namespace Restormer.Tests.Inference;

public class PrecisionTests
{
    [Theory]
    [InlineData("fp32", Precision.Fp32)]
    [InlineData("BF16", Precision.Bf16)]
    [InlineData(" bfloat16 ", Precision.Bf16)]
    [InlineData("auto", Precision.Auto)]
    public void ParsesTheDocumentedSpellings(string text, Precision expected) =>
        Assert.Equal(expected, PrecisionExtensions.Parse(text));

    [Fact]
    public void UnknownPrecisionNamesTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => PrecisionExtensions.Parse("fp16"));
        Assert.Contains("fp32, bf16 or auto", error.Message);
    }

    [Theory]
    [InlineData(true, true, Precision.Bf16)]
    [InlineData(true, false, Precision.Fp32)]  // oneDNN switched off: bfloat16 products fall back to a loop ~29x slower
    [InlineData(false, true, Precision.Fp32)]
    [InlineData(false, false, Precision.Fp32)]
    public void AutoIsBf16ExactlyWhereTheCpuHasItNativelyAndOneDnnRunsIt(bool native, bool oneDnn, Precision expected)
    {
        Assert.Equal(expected, PrecisionExtensions.Resolve(Precision.Auto, native, oneDnn));
        Assert.Equal(Precision.Fp32, PrecisionExtensions.Resolve(Precision.Fp32, native, oneDnn));
        Assert.Equal(Precision.Bf16, PrecisionExtensions.Resolve(Precision.Bf16, native, oneDnn));
    }

    [Fact]
    public void ReadsTheFlagsOfTheFirstProcessor()
    {
        const string cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\nflags\t\t: fpu\n";
        var flags = PosixHost.ParseCpuFlags(cpuinfo);
        Assert.Contains("avx512_bf16", flags);
        Assert.Contains("fpu", flags);
        Assert.DoesNotContain("amx_bf16", flags);
        Assert.Empty(PosixHost.ParseCpuFlags("processor\t: 0\n"));
    }
}

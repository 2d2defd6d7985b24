using Restormer.Inference;
using Restormer.Engine;
using Restormer.Model;
using Restormer.Tests.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Engine;

/// <summary>The inference engine against the reference outputs, against itself with other band sizes, and tiled.</summary>
public class InferenceEngineTests
{
    private static RestormerNet LoadCase(string name)
    {
        var testCase = ParityCase.Get(name);
        var model = new RestormerNet(testCase.Config);
        model.LoadStateDict(ModelParityTests.ReadState(testCase.WeightsPath));
        model.eval();
        return model;
    }

    private static float MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void Fp32MatchesReference(string name) => MatchesReference(name, isa: null);

    /// <summary>The AVX2 kernels inside this process (libtorch keeps its own choice; <see cref="Avx2PathTests"/> switches both).</summary>
    [SkippableTheory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void Fp32WithAvx2KernelsMatchesReference(string name)
    {
        Skip.IfNot(EngineIsa.Avx2.IsSupported(), "this CPU has no AVX2 with FMA");
        MatchesReference(name, EngineIsa.Avx2);
    }

    private static void MatchesReference(string name, EngineIsa? isa)
    {
        var testCase = ParityCase.Get(name);
        using var model = LoadCase(name);
        using var engine = new InferenceEngine(model, Precision.Fp32, isa: isa);
        using var output = engine.Forward(testCase.Input());
        using var expected = testCase.ExpectedOutput();
        Assert.Equal(expected.shape, output.shape);
        var maxError = MaxDifference(output, expected);
        Assert.True(maxError <= 1e-4f, $"{name}: max abs error {maxError:E3}");
    }

    [Theory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void Bf16StaysCloseToReference(string name)
    {
        var testCase = ParityCase.Get(name);
        using var model = LoadCase(name);
        using var engine = new InferenceEngine(model, Precision.Bf16);
        using var output = engine.Forward(testCase.Input());
        using var expected = testCase.ExpectedOutput();
        // bfloat16 keeps 8 significant bits: on outputs in [0, 1] the mean error must stay far below one 8-bit level (3.9e-3).
        var meanError = (output - expected).abs().mean().item<float>();
        Assert.True(meanError <= 1e-3f, $"{name}: mean abs error {meanError:E3}");
        Assert.True(meanError > 0, "bf16 gave exactly the float32 result: it did not run in bfloat16");
    }

    [Fact]
    public void Bf16IsWithinAHalfLevelOfFp32OnAPhotoWithTrainedWeights()
    {
        // The shipped compact motion-deblurring model on a crop of a real blurred frame.
        using var model = TestPhotos.CompactMotionModel();
        using var image = TestPhotos.MotionBlurCrop(400, 200, 320, 240);
        using var fp32 = new TiledRestorer(model, new RestoreOptions());
        using var bf16 = new TiledRestorer(model, new RestoreOptions { Precision = Precision.Bf16 });
        using var a = fp32.Restore(image);
        using var b = bf16.Restore(image);
        using var levels = ((a * 255).round() - (b * 255).round()).abs();
        float mean = levels.mean().item<float>();
        Assert.True(mean <= 0.5f, $"8-bit mean difference {mean:F3} levels");
        Assert.True((a - b).abs().max().item<float>() > 0, "bf16 gave exactly the float32 result");
    }

    [Theory]
    [InlineData(1)]   // one-row bands: every halo row comes from the previous band
    [InlineData(168)] // three rows at full resolution: uneven last bands at every level
    public void BandsGiveTheWholeImageResult(int bandPixels)
    {
        var testCase = ParityCase.Get("small_default_heads");
        using var model = LoadCase(testCase.Name);
        using var whole = new InferenceEngine(model, Precision.Fp32, bandPixels: int.MaxValue);
        using var banded = new InferenceEngine(model, Precision.Fp32, bandPixels: bandPixels);
        using var input = testCase.Input();
        using var expected = whole.Forward(input);
        using var output = banded.Forward(input);
        Assert.True(MaxDifference(output, expected) <= 1e-5f, $"max difference {MaxDifference(output, expected):E3}");
    }

    [Fact]
    public void RestoresABatchImageByImage()
    {
        var testCase = ParityCase.Get("tiny_biasfree_bias");
        Assert.Equal(2, testCase.InputShape[0]);
        using var model = LoadCase(testCase.Name);
        using var engine = new InferenceEngine(model);
        using var input = testCase.Input();
        using var both = engine.Forward(input);
        using var second = engine.Forward(input[1..]);
        Assert.True(MaxDifference(both[1..], second) == 0);
    }

    [Fact]
    public void RunsTheWidestKernelsTheRuntimeOffers()
    {
        using var model = LoadCase("tiny_withbias");
        using var engine = new InferenceEngine(model);
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512BW.VL.IsSupported ? EngineIsa.Avx512 : EngineIsa.Avx2, engine.Isa);
    }

    /// <summary>Runs where AVX-512 is off (as in <see cref="Avx2PathTests"/>): libtorch's bf16 products would be a slow generic loop.</summary>
    [SkippableFact]
    public void Bf16IsRefusedOnTheAvx2Path()
    {
        Skip.IfNot(EngineIsas.Best == EngineIsa.Avx2 && !CpuFeatures.HasNativeBFloat16, "AVX-512 is on: bf16 runs");
        using var model = LoadCase("tiny_withbias");
        var error = Assert.Throws<NotSupportedException>(() => new InferenceEngine(model, Precision.Bf16));
        Assert.Contains("--precision fp32", error.Message);
        Assert.Equal(Precision.Fp32, Precision.Auto.Resolve());
    }

    [Fact]
    public void RejectsSidesThatAreNotMultiplesOfEight()
    {
        using var model = LoadCase("tiny_withbias");
        using var engine = new InferenceEngine(model);
        var error = Assert.Throws<ArgumentException>(() => engine.Forward(rand(1, 3, 30, 48)));
        Assert.Contains("multiples of 8", error.Message);
    }
}

using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Model;

/// <summary>The port against outputs of the reference PyTorch implementation (max abs error ≤ 1e-4 per element).</summary>
public class ModelParityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal static IReadOnlyDictionary<string, Tensor> ReadState(string path) => Restormer.Checkpoints.CheckpointFile.Load(path);

    [Theory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void OutputMatchesReference(string name)
    {
        var testCase = ParityCase.Get(name);
        using var model = new RestormerNet(testCase.Config);
        model.LoadStateDict(ReadState(testCase.WeightsPath));
        model.eval();
        using var noGrad = no_grad();
        using var restored = model.call(testCase.Input());
        using var expected = testCase.ExpectedOutput();
        Assert.Equal(expected.shape, restored.shape);
        var maxError = (restored - expected).abs().max().item<float>();
        output.WriteLine($"{name}: max abs error {maxError:E2}");
        Assert.True(maxError <= 1e-4f, $"{name}: max abs error {maxError:E3}");
    }

    [Theory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void ArchitectureIsReadFromTheCheckpoint(string name)
    {
        var testCase = ParityCase.Get(name);
        var inferred = ArchitectureInference.FromStateDict(ReadState(testCase.WeightsPath));
        Assert.Equal(testCase.Config.ToString(), inferred.ToString());
    }
}

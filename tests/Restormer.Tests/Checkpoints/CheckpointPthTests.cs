using System.Collections;
using System.Text.Json;
using Restormer.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Restormer.Tests.Checkpoints;

public class CheckpointPthTests
{
    public static TheoryData<string> Fixtures => new(CheckpointTestFiles.FixtureCases);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureHasTheKeyCountOfCasesJsonAndStartsWithPatchEmbed(string name)
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Parity, "cases.json")));
        var tensors = CheckpointFile.Load(CheckpointTestFiles.Fixture(name));
        try
        {
            Assert.Equal(cases.RootElement.GetProperty(name).GetProperty("state_dict_keys").GetInt32(), tensors.Count);
            Assert.Equal("patch_embed.proj.weight", tensors.GetAt(0).Key);
            Assert.Equal(cases.RootElement.GetProperty(name).GetProperty("parameters").GetInt64(), tensors.Values.Sum(t => t.numel()));
        }
        finally
        {
            CheckpointTestFiles.DisposeAll(tensors);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureMatchesPyBridgeTensorByTensor(string name)
    {
        var path = CheckpointTestFiles.Fixture(name);
        var expected = (IDictionary)PyTorchUnpickler.UnpickleStateDict(path)["params"]!;
        var actual = CheckpointFile.Load(path);
        try
        {
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (key, tensor) in actual)
                CheckpointTestFiles.AssertSame((Tensor)expected[key]!, tensor, key);
        }
        finally
        {
            CheckpointTestFiles.DisposeAll(actual);
        }
    }
}

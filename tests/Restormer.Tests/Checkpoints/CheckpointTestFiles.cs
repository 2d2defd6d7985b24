using Restormer.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Tests.Checkpoints;

/// <summary>Fixture paths and comparisons shared by the checkpoint tests.</summary>
static class CheckpointTestFiles
{
    public static readonly string[] FixtureCases =
        ["tiny_withbias", "tiny_biasfree_bias", "tiny_gray_biasfree", "tiny_dualpixel", "small_default_heads"];

    public static string Fixture(string name) => Path.Combine(TestPaths.Parity, name + ".pth");

    /// <summary>Same dtype, shape and bytes, CPU and contiguous.</summary>
    public static void AssertSame(Tensor expected, Tensor actual, string name)
    {
        Assert.True(actual.device_type == DeviceType.CPU && actual.is_contiguous(), $"{name}: not a contiguous CPU tensor");
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.contiguous();
        Assert.True(e.bytes.SequenceEqual(actual.bytes), $"{name}: values differ");
    }

    public static void DisposeAll(OrderedDictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
            tensor.Dispose();
    }
}

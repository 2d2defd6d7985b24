using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using static TorchSharp.torch;

namespace Restormer.Tests.Faults;

/// <summary>
/// Degenerate checkpoints given to <c>restore</c>: right names with wrong shapes, NaN or infinite weights, weights that
/// overflow, a truncated file. Each stops with one line (exit 2) before any image is written, or fails the image
/// (exit 1) when only the output shows the damage; never a stack trace, never a black image reported as restored.
/// </summary>
public class CheckpointFaultTests
{
    static CliRunner.Result Restore(TempFolder root, string weights)
    {
        var input = Directory.CreateDirectory(root["in"]).FullName;
        using (var photo = FaultFiles.Photo(24, 16)) Cv2.ImWrite(Path.Combine(input, "photo.png"), photo);
        return CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", input, "-o", root["out"]);
    }

    static void AssertOneLineError(CliRunner.Result result, params string[] phrases)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one error line, got:\n" + result.Err);
        Assert.StartsWith("error: ", lines[0]);
        foreach (var phrase in phrases) Assert.Contains(phrase, lines[0]);
    }

    public static TheoryData<string, string> WrongShapes => new()
    {
        { "patch_embed.proj.weight", "flatten" },
        { "patch_embed.proj.weight", "transpose" },
        { "output.weight", "unsqueeze" },
        { "encoder_level1.0.attn.temperature", "flatten" },
        { "encoder_level2.0.ffn.project_out.weight", "flatten" },
        { "latent.0.ffn.project_out.weight", "transpose" },
        { "encoder_level1.0.norm1.body.weight", "repeat" },
        { "decoder_level1.0.attn.qkv_dwconv.weight", "transpose" },
        { "refinement.0.ffn.dwconv.weight", "unsqueeze" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void RightNamesWithWrongShapesAreOneLineNamingATensor(string tensor, string change)
    {
        using var root = TestPaths.NewTempFolder("faults-shape");
        Func<Tensor, Tensor> reshape = change switch
        {
            "flatten" => t => t.flatten(),
            "transpose" => t => t.transpose(0, 1).contiguous(),
            "unsqueeze" => t => t.unsqueeze(0),
            _ => t => t.repeat(2),
        };
        FaultFiles.SaveTinyCheckpoint(root["bad.pth"], tensor, reshape);
        var result = Restore(root, root["bad.pth"]);
        AssertOneLineError(result, root["bad.pth"]);
        // The line names a tensor and a shape: either the one read to infer the architecture or those that differ.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(result.Err, @"'[a-z_0-9.]+' has shape \[[0-9,]*\]|[a-z_0-9.]+ \(checkpoint \[[0-9,]*\], network \[[0-9,]*\]\)"), result.Err);
        Assert.False(Directory.Exists(root["out"]) && Directory.EnumerateFiles(root["out"]).Any());
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteWeightsAreRefusedAtLoadNamingTheTensor(float value)
    {
        using var root = TestPaths.NewTempFolder("faults-nan");
        FaultFiles.SaveTinyCheckpoint(root["nan.pth"], "encoder_level2.0.attn.qkv.weight", t => t.clone().index_fill_(0, tensor(new long[] { 1 }), value));
        var result = Restore(root, root["nan.pth"]);
        AssertOneLineError(result, "encoder_level2.0.attn.qkv.weight", "NaN or infinite");
        Assert.False(Directory.Exists(root["out"]) && Directory.EnumerateFiles(root["out"]).Any());
    }

    [Fact]
    public void WeightsThatOverflowFailTheImageInsteadOfWritingABlackOne()
    {
        using var root = TestPaths.NewTempFolder("faults-overflow");
        FaultFiles.SaveTinyCheckpoint(root["huge.pth"], "output.weight", t => full_like(t, float.MaxValue));
        var result = Restore(root, root["huge.pth"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"(?m)^FAIL \S*photo\.png: The network's output holds NaN or infinite values", result.Out);
        Assert.Contains("0 of 1 image(s) restored", result.Out);
        Assert.Empty(FaultFiles.Names(root["out"]));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void ATruncatedCheckpointIsOneLine(double kept)
    {
        using var root = TestPaths.NewTempFolder("faults-truncated");
        var bytes = File.ReadAllBytes(Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
        File.WriteAllBytes(root["cut.pth"], bytes[..(int)(bytes.Length * kept)]);
        AssertOneLineError(Restore(root, root["cut.pth"]), root["cut.pth"]);
    }

    [Fact]
    public async Task AFifoAsWeightsIsRefusedWithoutOpeningIt()
    {
        using var root = TestPaths.NewTempFolder("faults-fifo-weights");
        Assert.True(FaultFiles.MakeFifo(root["pipe.pth"]));
        var result = await Task.Run(() => Restore(root, root["pipe.pth"])).WaitAsync(TimeSpan.FromSeconds(60)); // a TimeoutException if it blocked
        AssertOneLineError(result, "FIFO");
    }
}

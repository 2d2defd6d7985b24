using Restormer.Checkpoints;
using Restormer.Cli.Commands;
using Restormer.Inference;
using Restormer.Model;
using Restormer.Tests.Cli;
using static TorchSharp.torch;

namespace Restormer.Tests.Faults;

/// <summary>
/// Checkpoints crafted to make the reader build more than the file holds: block indices past any count, a wide
/// network declared by a few bytes, names megabytes long. Each is refused before a network is built, in one line of
/// readable length that names the file; the analytic weight count the refusal rests on is checked against real networks.
/// </summary>
public class CraftedCheckpointTests
{
    public static TheoryData<RestormerConfig> Architectures => new()
    {
        new RestormerConfig(),
        new RestormerConfig { Dim = 24, NumBlocks = [2, 3, 3, 4], NumRefinementBlocks = 2 },
        new RestormerConfig { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 0, Heads = [1, 1, 2, 2], Bias = true, LayerNormType = LayerNormType.BiasFree },
        new RestormerConfig { Dim = 16, NumBlocks = [1, 2, 1, 1], NumRefinementBlocks = 1, InpChannels = 6, DualPixelTask = true, Bias = true },
        new RestormerConfig { Dim = 10, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1, Heads = [1, 2, 4, 4], InpChannels = 1, OutChannels = 1, FfnExpansionFactor = 2.3 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void TheWeightCountFromTheArchitectureIsTheNetworksOwn(RestormerConfig config)
    {
        using var net = new RestormerNet(config);
        Assert.Equal(net.state_dict().Values.Sum(t => t.numel()), (long)ModelCost.Parameters(config));
    }

    static string Save(TempFolder folder, string name, Action<Dictionary<string, Tensor>> craft)
    {
        var path = folder[name];
        using var net = FaultFiles.TinyNet();
        Restormer.Interop.GcPause.Run(() =>
        {
            var state = net.state_dict().ToDictionary(p => p.Key, p => p.Value.detach());
            craft(state);
            CheckpointFile.SavePth(path, state);
        });
        return path;
    }

    static void AssertRefusedInOneShortLine(string path, params string[] phrases)
    {
        var error = Assert.Throws<CheckpointException>(() => RestormerNet.FromCheckpoint(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Length < 600, $"{error.Message.Length} characters: {error.Message[..200]}…");
        foreach (var phrase in phrases) Assert.Contains(phrase, error.Message);
    }

    [Theory]
    [InlineData("encoder_level1.99999999999.x")]   // past int: was an OverflowException with a stack trace
    [InlineData("latent.2000000000.x")]            // within int: was two billion blocks, memory past 24 GB
    [InlineData("refinement.4096.attn.temperature")]
    public void ABlockIndexPastWhatTheFileHoldsIsRefused(string key)
    {
        using var folder = TestPaths.NewTempFolder("crafted");
        var path = Save(folder, "index.pth", state => state[key] = ones(1));
        AssertRefusedInOneShortLine(path, "names block", "the file holds only");
    }

    [Fact]
    public void AWideNetworkDeclaredByAFewBytesIsRefusedBeforeItIsBuilt()
    {
        using var folder = TestPaths.NewTempFolder("crafted");
        // Every tensor the architecture is read from, at width 512, and nothing else: 8.7 KB that once built a 2.3 GB network.
        var path = folder["wide.pth"];
        Restormer.Interop.GcPause.Run(() => CheckpointFile.SavePth(path, new Dictionary<string, Tensor>
        {
            ["patch_embed.proj.weight"] = ones(512, 3, 1, 1),
            ["output.weight"] = ones(3, 1024, 3, 3).narrow(1, 0, 1).contiguous(),
            ["encoder_level1.0.attn.temperature"] = ones(1, 1, 1),
            ["encoder_level2.0.attn.temperature"] = ones(2, 1, 1),
            ["encoder_level3.0.attn.temperature"] = ones(4, 1, 1),
            ["latent.0.attn.temperature"] = ones(8, 1, 1),
            ["encoder_level1.0.ffn.project_out.weight"] = ones(512, 1361, 1, 1).narrow(0, 0, 1).contiguous(),
        }));
        AssertRefusedInOneShortLine(path, "declares a network of", "weights (dim 512", "but holds only");
    }

    [Fact]
    public void AMegabyteLongNameIsShortenedInTheMessage()
    {
        using var folder = TestPaths.NewTempFolder("crafted");
        var path = Save(folder, "long.pth", state => state["encoder_level1." + new string('7', 1 << 20) + ".x"] = ones(1));
        AssertRefusedInOneShortLine(path, "(1,048,5");
    }

    [Fact]
    public void AnUnexpectedMegabyteLongKeyIsShortenedInTheMismatchList()
    {
        using var folder = TestPaths.NewTempFolder("crafted");
        var path = Save(folder, "extra.pth", state => state[new string('k', 10 << 20)] = ones(1));
        AssertRefusedInOneShortLine(path, "1 unexpected", "characters)");
    }

    [Fact]
    public void RestoreAndModelsSayItInOneLine()
    {
        using var folder = TestPaths.NewTempFolder("crafted");
        var path = Save(folder, "index.pth", state => state["encoder_level1.99999999999.x"] = ones(1));
        var input = folder["photo.png"];
        using (var photo = FaultFiles.Photo(24, 16)) OpenCvSharp.Cv2.ImWrite(input, photo);
        var restore = CliRunner.Run(RestoreCommand.Create(), "--weights", path, input, "-o", folder["out"]);
        Assert.Equal(2, restore.ExitCode);
        Assert.Matches(@"^error: [^\n]*names block[^\n]*\n$", restore.Err);
        Assert.False(Directory.Exists(folder["out"]) && Directory.EnumerateFileSystemEntries(folder["out"]).Any());

        File.Copy(path, folder["motion_deblurring.pth"]);
        var models = CliRunner.Run(ModelsCommand.Create(), "--models-dir", folder.Path);
        Assert.Equal(0, models.ExitCode);
        Assert.Contains("UNUSABLE", models.Out);
        Assert.Contains("deraining", models.Out); // the listing goes on past the bad file
        Assert.DoesNotContain("   at ", models.Out + models.Err);
    }
}

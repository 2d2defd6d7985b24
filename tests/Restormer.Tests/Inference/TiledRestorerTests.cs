using Restormer.Inference;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Inference;

public class TiledRestorerTests
{
    private static RestormerNet TinyModel()
    {
        var model = RestormerNet.FromCheckpoint(Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
        model.eval();
        return model;
    }

    [Fact]
    public void TilesAreAveragedAsTheReferenceDemo()
    {
        using var model = TinyModel();
        using var input = rand(1, 3, 40, 56, generator: new Generator(7));
        using var restorer = new TiledRestorer(model, new RestoreOptions { TileSize = 32, TileOverlap = 8 });
        using var tiled = restorer.Restore(input);

        // Independent accumulation over the reference's tile positions: rows {0, 8}, columns {0, 24}, with the module's forward.
        using var noGrad = no_grad();
        var sum = zeros(1, 3, 40, 56);
        var count = zeros(1, 1, 40, 56);
        foreach (var r in new[] { 0, 8 })
            foreach (var c in new[] { 0, 24 })
            {
                sum[.., .., r..(r + 32), c..(c + 32)].add_(model.call(input[.., .., r..(r + 32), c..(c + 32)]));
                count[.., .., r..(r + 32), c..(c + 32)].add_(1);
            }
        using var expected = (sum / count).clamp(0, 1);
        Assert.True((tiled - expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void ATileAsLargeAsTheImageRunsItWhole()
    {
        using var model = TinyModel();
        using var input = rand(1, 3, 24, 32, generator: new Generator(3));
        using var wholeRestorer = new TiledRestorer(model, new RestoreOptions());
        using var oneTileRestorer = new TiledRestorer(model, new RestoreOptions { TileSize = 64 });
        using var whole = wholeRestorer.Restore(input);
        using var oneTile = oneTileRestorer.Restore(input);
        Assert.True((whole - oneTile).abs().max().item<float>() == 0f);
    }

    [Fact]
    public void TileSizeMustBeAMultipleOfEight()
    {
        using var model = TinyModel();
        using var input = rand(1, 3, 64, 64);
        using var restorer = new TiledRestorer(model, new RestoreOptions { TileSize = 30 });
        Assert.Throws<ArgumentException>(() => restorer.Restore(input));
    }

    [Fact]
    public void LargeImagesAreTiledAutomaticallyUnderTheMemoryBudget()
    {
        using var model = TinyModel();
        using var restorer = new TiledRestorer(model, new RestoreOptions { MemoryBudgetBytes = 64L << 20 });
        Assert.Null(restorer.ChooseTile(64, 64));
        var tile = restorer.ChooseTile(2048, 2048);
        Assert.NotNull(tile);
        Assert.True(restorer.MemoryEstimate.ActivationBytes(tile.Value, tile.Value) <= 64L << 20);
        Assert.Equal(0, tile.Value % 8);
    }

    [Fact]
    public void HdFramesRunWholeOnlyBigPhotosAreTiled()
    {
        using var model = new RestormerNet(new RestormerConfig());
        using var restorer = new TiledRestorer(model, new RestoreOptions());
        Assert.Null(restorer.ChooseTile(720, 1280));
        var tile = restorer.ChooseTile(4000, 6000);
        Assert.NotNull(tile);
        Assert.Equal(0, tile % TiledRestorer.SizeMultiple);
        Assert.True(restorer.MemoryEstimate.ActivationBytes(tile!.Value, tile.Value) <= new RestoreOptions().MemoryBudgetBytes);
    }

    [Fact]
    public void ThePrecisionInUseIsReported()
    {
        using var model = new RestormerNet(new RestormerConfig { Dim = 8, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1 });
        using var fp32 = new TiledRestorer(model, new RestoreOptions());
        using var bf16 = new TiledRestorer(model, new RestoreOptions { Precision = Precision.Bf16 });
        using var auto = new TiledRestorer(model, new RestoreOptions { Precision = Precision.Auto });
        Assert.Equal(Precision.Fp32, fp32.Precision);
        Assert.Equal(Precision.Bf16, bf16.Precision);
        Assert.Equal(Precision.Auto.Resolve(), auto.Precision);
    }
}

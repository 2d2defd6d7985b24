using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Tests.Inference;

public class TiledRestorerTests
{
    [Fact]
    public void WholeHdFramesFitTheDefaultBudgetOnlyBigPhotosAreTiled()
    {
        using var model = new RestormerNet(new RestormerConfig());
        using var restorer = new TiledRestorer(model, new RestoreOptions());
        Assert.Null(restorer.ChooseTile(720, 1280));
        Assert.Null(restorer.ChooseTile(1080, 1920));
        var tile = restorer.ChooseTile(4000, 6000);
        Assert.NotNull(tile);
        Assert.Equal(0, tile % TiledRestorer.SizeMultiple);
        var estimate = new MemoryEstimate(model.Config, engine: true, Precision.Fp32);
        Assert.True(estimate.ActivationBytes(tile!.Value, tile.Value) <= new RestoreOptions().MemoryBudgetBytes);
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

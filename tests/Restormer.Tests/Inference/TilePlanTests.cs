using Restormer.Inference;

namespace Restormer.Tests.Inference;

public class TilePlanTests
{
    [Fact]
    public void FollowsTheReferenceDemoRule()
    {
        // Reference: range(0, h - tile, stride) + [h - tile] with stride = tile - overlap.
        var plan = TilePlan.For(height: 720, width: 1280, tile: 256, overlap: 32);
        Assert.Equal(new[] { 0, 224, 448, 464 }, plan.Rows);
        Assert.Equal(new[] { 0, 224, 448, 672, 896, 1024 }, plan.Columns);
    }

    [Fact]
    public void TileIsClippedToTheImage()
    {
        var plan = TilePlan.For(height: 64, width: 200, tile: 128, overlap: 16);
        Assert.Equal(64, plan.Tile);
        Assert.Equal(new[] { 0 }, plan.Rows);
        Assert.Equal(136, plan.Columns[^1]);
    }

    [Fact]
    public void OverlapMustBeSmallerThanTile() =>
        Assert.Throws<ArgumentException>(() => TilePlan.For(64, 64, 32, 32));
}

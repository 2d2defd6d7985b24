namespace Restormer.Inference;

/// <summary>
/// Where tiles go, with the reference demo's rule: tiles of side <c>tile</c> start every <c>tile − overlap</c> pixels
/// along each axis, and one more tile is aligned with the far edge so the whole image is covered.
/// </summary>
public sealed record TilePlan(int Tile, IReadOnlyList<int> Rows, IReadOnlyList<int> Columns)
{
    /// <summary>Number of tiles.</summary>
    public int Count => Rows.Count * Columns.Count;

    /// <summary>The plan for a padded image of <paramref name="height"/>×<paramref name="width"/>; tile is clipped to the image.</summary>
    public static TilePlan For(int height, int width, int tile, int overlap)
    {
        tile = Math.Min(tile, Math.Min(height, width));
        int stride = tile - overlap;
        if (stride <= 0)
            throw new ArgumentException($"Tile overlap {overlap} must be smaller than the tile size {tile}.");
        return new TilePlan(tile, Starts(height, tile, stride), Starts(width, tile, stride));
    }

    private static int[] Starts(int length, int tile, int stride)
    {
        var starts = new List<int>();
        for (int i = 0; i < length - tile; i += stride) starts.Add(i);
        starts.Add(length - tile);
        return [.. starts];
    }
}

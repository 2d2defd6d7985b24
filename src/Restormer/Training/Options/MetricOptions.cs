namespace Restormer.Training.Options;

/// <summary>One entry of <c>val.metrics</c>.</summary>
public sealed record MetricOptions
{
    /// <summary>The name it is logged under (the key).</summary>
    public required string Name { get; init; }
    /// <summary><c>calculate_psnr</c> or <c>calculate_ssim</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Border pixels left out on each side.</summary>
    public int CropBorder { get; init; }
    /// <summary>Score the Y channel of YCbCr instead of all colour channels.</summary>
    public bool TestYChannel { get; init; }

    internal static MetricOptions Parse(string name, OptionMap map)
    {
        var type = map.Require<string>("type");
        if (type is not ("calculate_psnr" or "calculate_ssim"))
            throw new OptionException($"{map.Source}: metric '{map.PathOf("type")}: {type}' is not supported; use calculate_psnr or calculate_ssim.");
        return new MetricOptions
        {
            Name = name,
            Type = type,
            CropBorder = map.Get("crop_border", 0),
            TestYChannel = map.Get("test_y_channel", false),
        };
    }
}

namespace Restormer.Training.Options;

/// <summary>The <c>val</c> section: how often and how the validation set is scored.</summary>
public sealed record ValidationOptions
{
    /// <summary>Pad inputs (reflect, bottom/right) to a multiple of this before the forward pass; 0 for none (<c>window_size</c>).</summary>
    public int WindowSize { get; init; }
    /// <summary>Validate every this many iterations (<c>val_freq</c>).</summary>
    public int Frequency { get; init; }
    /// <summary>Write the restored validation images under <c>visualization/</c> (<c>save_img</c>).</summary>
    public bool SaveImages { get; init; }
    /// <summary>Score the 8-bit images as saved (rounded, clamped) rather than the float output (<c>use_image</c>).</summary>
    public bool UseImage { get; init; } = true;
    /// <summary>The metrics to report, in file order (<c>metrics</c>).</summary>
    public IReadOnlyList<MetricOptions> Metrics { get; init; } = [];

    internal static ValidationOptions Parse(OptionMap map)
    {
        map.Accept("rgb2bgr", "max_minibatch");
        var options = new ValidationOptions
        {
            WindowSize = map.Get("window_size", 0),
            Frequency = map.Require<int>("val_freq"),
            SaveImages = map.Get("save_img", false),
            UseImage = map.Get("use_image", true),
            Metrics = map.Map("metrics") is { } metrics
                ? metrics.Keys.ToList().Select(name => MetricOptions.Parse(name, metrics.RequireMap(name))).ToList()
                : [],
        };
        if (options.Frequency <= 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("val_freq")}' must be at least 1.");
        if (options.WindowSize < 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("window_size")}' must be 0 (no padding) or a positive size.");
        return options;
    }
}

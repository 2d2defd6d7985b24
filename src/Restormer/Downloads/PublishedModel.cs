using Restormer.Checkpoints;
using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Downloads;

/// <summary>
/// One checkpoint the Restormer authors publish as an asset of their GitHub release v1.0: its file name, the task it
/// serves (none for the dual-pixel and the fixed-σ denoising models, which <c>restore</c> does not use by name), and
/// what its architecture must be, as the reference test scripts build it: the paper's widths, depths and heads
/// (<see cref="Shape"/>) with the channels, dual-pixel input and LayerNorm type of its task.
/// </summary>
/// <param name="FileName">The release asset's name, also the file name in the models folder.</param>
/// <param name="Task">The task that uses it by default, or null.</param>
/// <param name="Description">What it restores, in a few words.</param>
/// <param name="Channels">Input and output channels: 3 for colour, 1 for grayscale (the dual-pixel model takes 6 in, 3 out).</param>
/// <param name="DualPixel">True for the dual-pixel defocus model (left and right views stacked, no global residual).</param>
/// <param name="LayerNorm">The LayerNorm the authors trained it with (BiasFree for every denoising model).</param>
/// <param name="KnownSize">The asset's size in bytes where it was checked, else null (then only the checkpoint itself is checked).</param>
public sealed record PublishedModel(string FileName, RestorationTask? Task, string Description, int Channels, bool DualPixel,
    LayerNormType LayerNorm, long? KnownSize = null)
{
    /// <summary>Where the authors' release keeps its assets.</summary>
    public const string ReleaseBaseUrl = "https://github.com/swz30/Restormer/releases/download/v1.0/";

    /// <summary>
    /// The widths, depths and heads every published checkpoint has, the reference's defaults (dim 48, blocks
    /// [4,6,6,8], 4 refinement blocks, heads [1,2,4,8], GDFN factor 2.66, no bias); channels and LayerNorm come from
    /// the record. Another value describes another catalogue (a test's small models).
    /// </summary>
    public RestormerConfig Shape { get; init; } = new();

    /// <summary>The name used on the command line: the file name without <c>.pth</c>.</summary>
    public string Name => Path.GetFileNameWithoutExtension(FileName);

    /// <summary>The release address of the file.</summary>
    public Uri Url => new(ReleaseBaseUrl + FileName);

    /// <summary>"colour", "grayscale" or "dual-pixel", for listings.</summary>
    public string Input => DualPixel ? "dual-pixel" : Channels == 1 ? "grayscale" : "colour";

    /// <summary>
    /// Reads <paramref name="path"/> with the project's checkpoint reader and checks, without building the network,
    /// that it is the architecture this name needs; returns it. Throws <see cref="CheckpointException"/> naming the
    /// file and the differences otherwise (a web page, a truncated file, another task's or another size's weights).
    /// </summary>
    public RestormerConfig Verify(string path)
    {
        var config = RestormerNet.ReadArchitecture(path);
        int expectedInput = DualPixel ? 2 * Channels : Channels;
        var problems = new List<string>();
        if (config.InpChannels != expectedInput || config.OutChannels != Channels)
            problems.Add($"{config.InpChannels} input and {config.OutChannels} output channels instead of {expectedInput} and {Channels}");
        if (config.DualPixelTask != DualPixel)
            problems.Add(DualPixel ? "no dual-pixel skip connection" : "a dual-pixel skip connection");
        if (config.LayerNormType != LayerNorm)
            problems.Add($"{config.LayerNormType} LayerNorm instead of {LayerNorm}");
        if (Size(config) != Size(Shape))
            problems.Add($"{Size(config)} instead of {Size(Shape)}");
        if (problems.Count > 0)
            throw new CheckpointException(path, $"is a Restormer checkpoint, but not one for {Name} ({string.Join("; ", problems)})",
                $"Check that the address serves {FileName}.");
        return config;
    }

    private static string Size(RestormerConfig c) =>
        $"dim {c.Dim}, blocks [{string.Join(",", c.NumBlocks)}], {c.NumRefinementBlocks} refinement blocks, heads [{string.Join(",", c.Heads)}], " +
        $"GDFN widths [{string.Join(",", Enumerable.Range(0, 4).Select(level => c.HiddenChannels(c.Dim << level)))}], {(c.Bias ? "bias" : "no bias")}";
}

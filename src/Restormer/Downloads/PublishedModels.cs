using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Downloads;

/// <summary>
/// Every checkpoint of the authors' release v1.0 (<c>github.com/swz30/Restormer/releases</c>): the six tasks' files
/// that the reference <c>demo.py</c> loads, the dual-pixel defocus model of <c>test_dual_pixel_defocus_deblur.py</c>,
/// and the fixed-σ Gaussian denoisers (<c>_sigma15/25/50</c>) that <c>test_gaussian_*_denoising.py --model_type non_blind</c> loads.
/// </summary>
public static class PublishedModels
{
    /// <summary>The licence the authors publish code and weights under, in one line (their repository's LICENSE.md).</summary>
    public const string Licence = "the authors' Academic Public License (LICENSE.md of github.com/swz30/Restormer): " +
        "free for non-commercial use (research, teaching, personal work) with credit to the authors; commercial use only by arrangement with them";

    /// <summary>The published checkpoints, the six tasks' first.</summary>
    public static IReadOnlyList<PublishedModel> All { get; } = Build();

    /// <summary>
    /// Finds a checkpoint by its name (<c>gaussian_gray_denoising_sigma25</c>, with or without <c>.pth</c>) or by a
    /// task's name (<c>deraining</c>, <c>Gaussian_Color_Denoising</c> → its blind model); null when unknown.
    /// </summary>
    public static PublishedModel? Find(string name)
    {
        var key = name.Trim();
        if (key.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)) key = key[..^4];
        key = key.ToLowerInvariant().Replace('-', '_');
        return All.FirstOrDefault(m => m.Name == key)
            ?? (RestorationTask.Find(key) is { } task ? For(task) : null);
    }

    /// <summary>Like <see cref="Find"/>, but an unknown name is an <see cref="ArgumentException"/> listing the valid ones.</summary>
    public static PublishedModel Parse(string name) => Find(name)
        ?? throw new ArgumentException($"Unknown model '{name}'. Published models: {string.Join(", ", All.Select(m => m.Name))} (see 'models').");

    /// <summary>The checkpoint a task uses by default.</summary>
    public static PublishedModel For(RestorationTask task) => All.First(m => m.Task == task);

    private static List<PublishedModel> Build()
    {
        const LayerNormType WithBias = LayerNormType.WithBias, BiasFree = LayerNormType.BiasFree;
        // Sizes: motion_deblurring's is the one the issue measured; real_denoising's is the one three independent public
        // download scripts and inventories record. The others are unknown here, so only the checkpoint itself is checked.
        var models = new List<PublishedModel>
        {
            new("motion_deblurring.pth", RestorationTask.MotionDeblurring, RestorationTask.MotionDeblurring.Description, 3, false, WithBias, 104_700_429),
            new("single_image_defocus_deblurring.pth", RestorationTask.DefocusDeblurring, RestorationTask.DefocusDeblurring.Description, 3, false, WithBias),
            new("deraining.pth", RestorationTask.Deraining, RestorationTask.Deraining.Description, 3, false, WithBias),
            new("real_denoising.pth", RestorationTask.RealDenoising, RestorationTask.RealDenoising.Description, 3, false, BiasFree, 104_611_957),
            new("gaussian_color_denoising_blind.pth", RestorationTask.GaussianColorDenoising, RestorationTask.GaussianColorDenoising.Description, 3, false, BiasFree),
            new("gaussian_gray_denoising_blind.pth", RestorationTask.GaussianGrayDenoising, RestorationTask.GaussianGrayDenoising.Description, 1, false, BiasFree),
            new("dual_pixel_defocus_deblurring.pth", null, "out-of-focus blur, dual-pixel pairs (not used by restore)", 3, true, WithBias),
        };
        foreach (var (colour, channels) in new[] { ("color", 3), ("gray", 1) })
            foreach (var sigma in new[] { 15, 25, 50 })
                models.Add(new($"gaussian_{colour}_denoising_sigma{sigma}.pth", null,
                    $"Gaussian noise σ={sigma}, {(channels == 1 ? "grayscale" : "colour")} (fixed-σ model)", channels, false, BiasFree));
        return models;
    }
}

namespace Restormer.Inference;

/// <summary>
/// One of the six published Restormer tasks: the reference demo's name, its weights file and how it reads images.
/// The architecture is not listed here: it is read from the checkpoint itself.
/// </summary>
/// <param name="Name">Our name, used on the command line (<c>motion_deblurring</c>).</param>
/// <param name="ReferenceName">The reference demo's <c>--task</c> spelling (<c>Motion_Deblurring</c>).</param>
/// <param name="WeightsFileName">The published checkpoint's file name, looked for in the models folder.</param>
/// <param name="Grayscale">True when the model takes one-channel images (inputs are read as gray).</param>
/// <param name="Description">What the task removes, in a few words, for menus and help.</param>
public sealed record RestorationTask(string Name, string ReferenceName, string WeightsFileName, bool Grayscale, string Description)
{
    /// <summary>Camera-shake and object-motion blur (GoPro-trained).</summary>
    public static RestorationTask MotionDeblurring { get; } = new("motion_deblurring", "Motion_Deblurring", "motion_deblurring.pth", false, "camera-shake and object-motion blur");
    /// <summary>Out-of-focus blur in a single image (DPDD-trained).</summary>
    public static RestorationTask DefocusDeblurring { get; } = new("single_image_defocus_deblurring", "Single_Image_Defocus_Deblurring", "single_image_defocus_deblurring.pth", false, "out-of-focus blur (one image)");
    /// <summary>Rain streaks.</summary>
    public static RestorationTask Deraining { get; } = new("deraining", "Deraining", "deraining.pth", false, "rain streaks");
    /// <summary>Real camera noise (SIDD-trained).</summary>
    public static RestorationTask RealDenoising { get; } = new("real_denoising", "Real_Denoising", "real_denoising.pth", false, "real camera noise (SIDD)");
    /// <summary>Gaussian noise in colour images, noise level not needed (blind).</summary>
    public static RestorationTask GaussianColorDenoising { get; } = new("gaussian_color_denoising", "Gaussian_Color_Denoising", "gaussian_color_denoising_blind.pth", false, "Gaussian noise, colour, blind σ");
    /// <summary>Gaussian noise in grayscale images, noise level not needed (blind).</summary>
    public static RestorationTask GaussianGrayDenoising { get; } = new("gaussian_gray_denoising", "Gaussian_Gray_Denoising", "gaussian_gray_denoising_blind.pth", true, "Gaussian noise, grayscale, blind σ");

    /// <summary>The six tasks; the first, motion deblurring, is the default everywhere.</summary>
    public static IReadOnlyList<RestorationTask> All { get; } =
        [MotionDeblurring, DefocusDeblurring, Deraining, RealDenoising, GaussianColorDenoising, GaussianGrayDenoising];

    /// <summary>
    /// Finds a task by our name or the reference's (<c>Motion_Deblurring</c>), ignoring case and treating '-' and '_'
    /// alike; <c>defocus_deblurring</c> and names with a <c>_blind</c> suffix are accepted too.
    /// </summary>
    public static RestorationTask? Find(string name)
    {
        var key = Normalise(name);
        return All.FirstOrDefault(t => Normalise(t.Name) == key || Normalise(t.ReferenceName) == key
            || Normalise(Path.GetFileNameWithoutExtension(t.WeightsFileName)) == key
            || (t == DefocusDeblurring && key == "defocus_deblurring"));
    }

    /// <summary>Like <see cref="Find"/>, but an unknown name is an <see cref="ArgumentException"/> listing the valid ones.</summary>
    public static RestorationTask Parse(string name) => Find(name)
        ?? throw new ArgumentException($"Unknown task '{name}'. Tasks: {string.Join(", ", All.Select(t => t.Name))}.");

    private static string Normalise(string name) => name.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
}

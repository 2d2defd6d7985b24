namespace Restormer.Inference;

/// <summary>Models this project trained itself and ships in <c>models/</c>, used when a task's published weights are absent.</summary>
public static class DefaultModels
{
    /// <summary>File name of the compact motion-deblurring model trained by this project.</summary>
    public const string MotionDeblurringCompact = "motion_deblurring_compact.pth";

    /// <summary>The shipped fallback's file name for <paramref name="task"/>, or null when there is none.</summary>
    public static string? For(RestorationTask task) => task == RestorationTask.MotionDeblurring ? MotionDeblurringCompact : null;
}

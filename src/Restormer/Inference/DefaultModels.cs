namespace Restormer.Inference;

/// <summary>Models this project trained itself and ships in <c>models/</c>, used when a task's published weights are absent.</summary>
public static class DefaultModels
{
    public const string MotionDeblurringCompact = "motion_deblurring_compact.pth";

    public static string? For(RestorationTask task) => task == RestorationTask.MotionDeblurring ? MotionDeblurringCompact : null;
}

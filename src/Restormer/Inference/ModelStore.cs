namespace Restormer.Inference;

/// <summary>
/// The folder where task weights live: <c>$RESTORMER_MODELS</c> if set, else the <c>models/</c> folder of the
/// installation (beside the <c>restormer</c> launcher), else <c>./models</c>.
/// </summary>
public sealed class ModelStore(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public static ModelStore Default { get; } = new(FindDefaultDirectory());

    /// <summary>The path where <paramref name="task"/>'s published weights are expected.</summary>
    public string PathFor(RestorationTask task) => Path.Combine(Directory, task.WeightsFileName);

    /// <summary>
    /// The weights to use for a task: the published file if present, else for motion deblurring our shipped compact
    /// model. Throws <see cref="FileNotFoundException"/> saying which file to put where.
    /// </summary>
    public string Resolve(RestorationTask task)
    {
        var published = PathFor(task);
        if (File.Exists(published)) return published;
        if (DefaultModels.For(task) is { } shipped && File.Exists(Path.Combine(Directory, shipped)))
            return Path.Combine(Directory, shipped);
        throw new FileNotFoundException(
            $"No weights for task '{task.Name}': put the published '{task.WeightsFileName}' into {Directory}/ " +
            $"(see README, 'Published weights'), or pass --weights <file>.", published);
    }

    private static string FindDefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("RESTORMER_MODELS") is { Length: > 0 } fromEnvironment)
            return fromEnvironment;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "restormer")) && System.IO.Directory.Exists(Path.Combine(dir.FullName, "models")))
                return Path.Combine(dir.FullName, "models");
        return "models";
    }
}

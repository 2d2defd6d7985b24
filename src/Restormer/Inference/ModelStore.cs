namespace Restormer.Inference;

/// <summary>
/// The folder where task weights live: <c>$RESTORMER_MODELS</c> if set, else the <c>models/</c> folder of the
/// installation (beside the <c>restormer</c> launcher), else <c>./models</c>. Use <c>new ModelStore(folder)</c> for another.
/// Nothing is cached: every call looks at the folder as it is now, so files added while a program runs are seen.
/// </summary>
public sealed class ModelStore(string directory)
{
    /// <summary>The folder, as a full path.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The folder <see cref="Restorer.Load(string, RestoreOptions?)"/> uses for task names (chosen once, at first use).</summary>
    public static ModelStore Default { get; } = new(FindDefaultDirectory());

    /// <summary>The path where <paramref name="task"/>'s published weights are expected.</summary>
    public string PathFor(RestorationTask task) => Path.Combine(Directory, task.WeightsFileName);

    /// <summary>
    /// The weights to use for a task: the published file if present, else for motion deblurring our shipped compact
    /// model. Throws <see cref="FileNotFoundException"/> saying which file to put where.
    /// </summary>
    public string Resolve(RestorationTask task) => TryResolve(task) ?? throw new FileNotFoundException(
        $"No weights for task '{task.Name}': {task.WeightsFileName} is not in {Directory}/. Download the published file " +
        $"with '{FetchCommand(task)}', or pass --weights <file>.", PathFor(task));

    /// <summary>The command that downloads <paramref name="task"/>'s published weights into this folder.</summary>
    public string FetchCommand(RestorationTask task) =>
        $"./restormer models fetch {task.Name}" + (Directory == Default.Directory ? "" : Directory.Contains(' ') ? $" --models-dir \"{Directory}\"" : $" --models-dir {Directory}");

    /// <summary>Like <see cref="Resolve"/>, but null when the task has no weights here (to list what is available).</summary>
    public string? TryResolve(RestorationTask task)
    {
        var published = PathFor(task);
        if (File.Exists(published)) return published;
        var shipped = DefaultModels.For(task) is { } name ? Path.Combine(Directory, name) : null;
        return shipped is not null && File.Exists(shipped) ? shipped : null;
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

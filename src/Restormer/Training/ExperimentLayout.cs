using System.Globalization;

namespace Restormer.Training;

/// <summary>
/// Where a run's outputs go, in the reference's layout: <c>experiments/&lt;name&gt;/models/net_g_&lt;iter&gt;.pth</c>,
/// <c>net_g_latest.pth</c>, <c>training_states/&lt;iter&gt;.state</c>, the log files and <c>visualization/</c>;
/// TensorBoard files go to <c>tb_logger/&lt;name&gt;/</c> beside <c>experiments/</c>.
/// </summary>
public sealed class ExperimentLayout
{
    /// <summary>The layout of experiment <paramref name="name"/> under <paramref name="experimentsRoot"/>.</summary>
    public ExperimentLayout(string experimentsRoot, string name)
    {
        ExperimentsRoot = experimentsRoot;
        Root = Path.Combine(experimentsRoot, name);
        TensorBoard = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(experimentsRoot)) ?? ".", "tb_logger", name);
    }

    /// <summary>The folder holding all experiments (<c>experiments/</c>).</summary>
    public string ExperimentsRoot { get; }
    /// <summary>This experiment's folder.</summary>
    public string Root { get; }
    /// <summary>Network weights.</summary>
    public string Models => Path.Combine(Root, "models");
    /// <summary>Resumable states.</summary>
    public string TrainingStates => Path.Combine(Root, "training_states");
    /// <summary>Validation images.</summary>
    public string Visualization => Path.Combine(Root, "visualization");
    /// <summary>TensorBoard event files (<c>use_tb_logger</c>).</summary>
    public string TensorBoard { get; }
    /// <summary>One JSON line per logging interval and per validation.</summary>
    public string MetricsFile => Path.Combine(Root, "metrics.jsonl");

    /// <summary>The weights saved at <paramref name="iteration"/>.</summary>
    public string ModelFile(long iteration) => Path.Combine(Models, $"net_g_{iteration}.pth");
    /// <summary>The most recently saved weights.</summary>
    public string LatestModelFile => Path.Combine(Models, "net_g_latest.pth");
    /// <summary>The training state saved at <paramref name="iteration"/>.</summary>
    public string StateFile(long iteration) => Path.Combine(TrainingStates, $"{iteration}.state");

    /// <summary>A new log file name stamped with the start time, as the reference's <c>train_&lt;name&gt;_&lt;time&gt;.log</c>.</summary>
    public string NewLogFile(string name) =>
        Path.Combine(Root, $"train_{name}_{DateTime.Now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture)}.log");

    /// <summary>The state with the highest iteration number, or null (temporary files of an interrupted save are ignored).</summary>
    public string? LatestState()
    {
        if (!Directory.Exists(TrainingStates))
            return null;
        return Directory.EnumerateFiles(TrainingStates, "*.state")
            .Select(f => (File: f, Ok: long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n), Iteration: n))
            .Where(s => s.Ok)
            .OrderByDescending(s => s.Iteration)
            .Select(s => s.File)
            .FirstOrDefault();
    }

    /// <summary>Creates the folders.</summary>
    public void Create()
    {
        Directory.CreateDirectory(Models);
        Directory.CreateDirectory(TrainingStates);
    }

    /// <summary>
    /// Moves an existing experiment folder aside to <c>&lt;name&gt;_archived_&lt;time&gt;</c> (as the reference) so a fresh
    /// run never mixes its files with an old one's; returns the new name, or null when there was nothing to move.
    /// </summary>
    public string? ArchiveExisting() => Archive(Root);

    /// <summary>Moves an existing TensorBoard folder aside the same way, so a fresh run's curves start clean.</summary>
    public string? ArchiveExistingTensorBoard() => Archive(TensorBoard);

    static string? Archive(string folder)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
            return null;
        var archived = $"{folder}_archived_{DateTime.Now.ToString("yyyyMMdd_HHmmss_fff", CultureInfo.InvariantCulture)}";
        Directory.Move(folder, archived);
        return archived;
    }
}

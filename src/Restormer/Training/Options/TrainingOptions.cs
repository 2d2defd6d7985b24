using Restormer.Model;

namespace Restormer.Training.Options;

/// <summary>
/// A whole training option file in the reference (basicsr) layout: the published Restormer <c>Options/*.yml</c>
/// files load unchanged. Keys that the reference uses but that have no effect here (distributed and logger back-ends)
/// are accepted silently; any other unknown key becomes a warning rather than an error, so option files written for
/// newer basicsr versions still run.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Experiment name: outputs go to <c>experiments/&lt;name&gt;/</c>.</summary>
    public required string Name { get; init; }
    /// <summary>GPUs requested; 0 means CPU (<c>num_gpu</c>).</summary>
    public int NumGpu { get; init; }
    /// <summary>Seed of every random choice (<c>manual_seed</c>); null picks one and logs it.</summary>
    public int? ManualSeed { get; init; }
    /// <summary>The training set (<c>datasets.train</c>).</summary>
    public required DatasetOptions TrainSet { get; init; }
    /// <summary>The validation set (<c>datasets.val</c>), if any.</summary>
    public DatasetOptions? ValSet { get; init; }
    /// <summary>The network (<c>network_g</c>).</summary>
    public required RestormerConfig Network { get; init; }
    /// <summary>Starting weights and resume state (<c>path</c>).</summary>
    public PathOptions Paths { get; init; } = new();
    /// <summary>Optimisation settings (<c>train</c>).</summary>
    public required TrainOptions Train { get; init; }
    /// <summary>Validation settings (<c>val</c>), if any.</summary>
    public ValidationOptions? Validation { get; init; }
    /// <summary>Logging and checkpoint frequency (<c>logger</c>).</summary>
    public LoggerOptions Logger { get; init; } = new();
    /// <summary>The option file read.</summary>
    public string SourceFile { get; init; } = "";
    /// <summary>Problems that did not stop loading (unknown keys), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Reads and checks an option file.</summary>
    public static TrainingOptions Load(string path) => FromMap(YamlOptionReader.Load(path));

    /// <summary>Builds the options from a parsed file; unknown keys end up in <see cref="Warnings"/>.</summary>
    public static TrainingOptions FromMap(OptionMap root)
    {
        root.Accept("model_type", "dist_params", "dist", "is_train", "rank", "world_size");
        var scale = root.Get("scale", 1);
        if (scale != 1)
            throw new OptionException($"{root.Source}: 'scale: {scale}' is not supported; Restormer restores at the input size (scale: 1).");
        var datasets = root.RequireMap("datasets");
        DatasetOptions? train = null, val = null;
        foreach (var key in datasets.Keys.ToList())
        {
            // As the reference: "val_1", "val_2" are validation sets; only the first is used here.
            var phase = key.Split('_')[0];
            var section = datasets.RequireMap(key);
            switch (phase)
            {
                case "train": train = DatasetOptions.Parse(section, "train"); break;
                case "val" or "test": val ??= DatasetOptions.Parse(section, "val"); break;
                default: throw new OptionException($"{root.Source}: dataset '{datasets.PathOf(key)}' must be named train or val.");
            }
        }
        var options = new TrainingOptions
        {
            Name = root.Require<string>("name"),
            NumGpu = root.Get("num_gpu", 0),
            ManualSeed = root.Get<int?>("manual_seed", null),
            TrainSet = train ?? throw new OptionException($"{root.Source}: 'datasets.train' is required."),
            ValSet = val,
            Network = NetworkOptions.Parse(root.RequireMap("network_g")),
            Paths = PathOptions.Parse(root.Map("path")),
            Train = TrainOptions.Parse(root.RequireMap("train")),
            Validation = root.Map("val") is { } v ? ValidationOptions.Parse(v) : null,
            Logger = LoggerOptions.Parse(root.Map("logger")),
            SourceFile = root.Source,
        };
        CheckName(options.Name, root);
        var warnings = root.UnusedKeys()
            .Select(k => $"{root.Source}: unknown option '{k}' ignored (check its spelling and indentation).")
            .ToList();
        return options with { Warnings = warnings };
    }

    static void CheckName(string name, OptionMap root)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new OptionException($"{root.Source}: 'name: {name}' must be usable as a folder name (it becomes experiments/<name>).");
    }
}

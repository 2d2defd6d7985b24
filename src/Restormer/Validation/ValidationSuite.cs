using OpenCvSharp;
using Restormer.Degradations;
using Restormer.IO;
using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Validation;

/// <summary>One condition of a <see cref="ValidationSuite"/>: a name (its folder), what it tests, and its degradation.</summary>
public sealed record SuiteCondition(string Name, string Description, DegradationPipeline Pipeline);

/// <summary>
/// A fixed, deterministic set of blurred/sharp pairs that predicts how a deblurring model generalises: the same
/// held-out photographs (never trained on) degraded under several conditions side by side — blur on stored values
/// against linear light, kernel families and sizes the model is not trained on, strong and mild blur, noise levels,
/// spatially varying blur — each written to <c>OUTPUT/&lt;condition&gt;/input|target/</c>, which <c>test</c> scores
/// per condition. Described by a YAML file (options/validation_suite.yml):
/// <c>dataroot_sharp</c>, <c>every_nth_val</c> (the training recipe's holdout), <c>crop_size</c> (the centre window
/// of each photo), <c>seed</c>, and <c>conditions</c>: a map of name to <c>{description, degradation}</c>, where
/// <c>degradation</c> takes the keys of a training option file's <c>degradation:</c> block.
/// </summary>
public sealed class ValidationSuite
{
    /// <summary>Folder of sharp photographs (searched recursively).</summary>
    public required string SharpFolder { get; init; }

    /// <summary>The holdout of the training recipe: every n-th photo in name order is used, the others never.</summary>
    public required int EveryNthVal { get; init; }

    /// <summary>Side of the centre window cut from each photo (0: whole photos).</summary>
    public required int CropSize { get; init; }

    /// <summary>Base seed; each pair's generator derives from it, the condition and the photo's name.</summary>
    public required int Seed { get; init; }

    /// <summary>The conditions, in file order.</summary>
    public required IReadOnlyList<SuiteCondition> Conditions { get; init; }

    /// <summary>
    /// Reads a suite file through the bounded option-file reader (size, depth and alias limits); relative data paths
    /// resolve from the current folder, as in training option files.
    /// </summary>
    public static ValidationSuite Load(string path)
    {
        var root = YamlOptionReader.Load(path);
        if (root.Map("conditions") is not { } conditions || !conditions.Keys.Any())
            throw new InvalidDataException($"Validation suite file '{path}' needs 'conditions:', a map of condition name to {{description, degradation}}.");
        var list = new List<SuiteCondition>();
        foreach (var name in conditions.Keys)
        {
            var body = conditions.Map(name) is { } b && b.Map("degradation") is { } d ? (Body: b, Degradation: d)
                : throw new InvalidDataException($"Validation suite file '{path}': condition '{name}' needs a 'degradation:' map.");
            try
            {
                var settings = body.Degradation.Keys.ToDictionary(key => key, body.Degradation.Raw);
                list.Add(new SuiteCondition(name, body.Body.Get("description", ""), DegradationPipeline.FromDictionary(settings)));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Validation suite file '{path}': condition '{name}': {e.Message}", e);
            }
        }
        int Count(string key, int fallback) => root.Get(key, fallback) is var n and >= 0 ? n
            : throw new InvalidDataException($"Validation suite file '{path}': '{key}' must be a whole number >= 0.");
        return new ValidationSuite
        {
            SharpFolder = root.Require<string>("dataroot_sharp"), EveryNthVal = Count("every_nth_val", 8), CropSize = Count("crop_size", 256),
            Seed = Count("seed", 0), Conditions = list,
        };
    }

    /// <summary>The held-out photographs the suite degrades, in name order.</summary>
    public IReadOnlyList<string> Photos() =>
        SyntheticPairSet.HeldOut(ImageFiles.List(SharpFolder, "dataroot_sharp", recursive: true), EveryNthVal, heldOut: true);

    /// <summary>
    /// Writes every condition's pairs as 8-bit PNGs under <paramref name="outputFolder"/> and a README.md listing the
    /// conditions; reports one line per photo. Returns the number of pairs written.
    /// </summary>
    public int Generate(string outputFolder, Action<string>? progress = null)
    {
        var photos = Photos();
        var folders = Conditions.ToDictionary(c => c, c => (
            Input: Directory.CreateDirectory(Path.Combine(outputFolder, c.Name, "input")).FullName,
            Target: Directory.CreateDirectory(Path.Combine(outputFolder, c.Name, "target")).FullName));
        var written = 0;
        foreach (var (index, photo) in photos.Index())
        {
            var stem = Path.GetFileNameWithoutExtension(photo);
            using var sharp = ImageFiles.Read(photo); // decoded once for every condition
            foreach (var condition in Conditions)
            {
                var rng = new Random(TrainingPairGenerator.SampleSeed(Seed, condition.Name + "/" + stem, 0));
                var (degraded, clean) = DegradationWindow.Degrade(condition.Pipeline, sharp, CropSize > 0 ? CropSize : int.MaxValue, random: false, rng);
                using (degraded)
                using (clean)
                {
                    TrainingPairGenerator.WritePng(degraded, MatType.CV_8UC(degraded.Channels()), 255, Path.Combine(folders[condition].Input, stem + ".png"));
                    TrainingPairGenerator.WritePng(clean, MatType.CV_8UC(clean.Channels()), 255, Path.Combine(folders[condition].Target, stem + ".png"));
                }
                written++;
            }
            progress?.Invoke($"[{index + 1}/{photos.Count}] {stem}: {Conditions.Count} condition(s)");
        }
        AtomicFile.Write(Path.Combine(outputFolder, "README.md"), (string temp) => File.WriteAllLines(temp,
            new[] { "# Validation suite", "", $"{photos.Count} held-out photos, centre {CropSize}² window, seed {Seed}.", "", "| condition | what it tests |", "|---|---|" }
                .Concat(Conditions.Select(c => $"| {c.Name} | {c.Description} |"))));
        return written;
    }
}

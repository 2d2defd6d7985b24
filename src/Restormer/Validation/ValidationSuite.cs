using OpenCvSharp;
using Restormer.Degradations;
using Restormer.IO;
using Restormer.Training.Data;
using YamlDotNet.Serialization;

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

    /// <summary>Reads a suite file; relative data paths resolve from the current folder, as in training option files.</summary>
    public static ValidationSuite Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Validation suite file '{path}' does not exist.");
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"Validation suite file '{path}' is empty.");
        string Text(string key) => root.TryGetValue(key, out var v) && v is string s ? s
            : throw new InvalidDataException($"Validation suite file '{path}' needs '{key}'.");
        int Number(string key, int fallback) => root.TryGetValue(key, out var v) && v is not null
            ? int.TryParse(v.ToString(), out var n) && n >= 0 ? n : throw new InvalidDataException($"Validation suite file '{path}': '{key}' must be a whole number >= 0.")
            : fallback;
        if (!root.TryGetValue("conditions", out var c) || c is not IDictionary<object, object?> conditions || conditions.Count == 0)
            throw new InvalidDataException($"Validation suite file '{path}' needs 'conditions:', a map of condition name to {{description, degradation}}.");
        var list = new List<SuiteCondition>();
        foreach (var (key, value) in conditions)
        {
            var name = key.ToString()!;
            if (value is not IDictionary<object, object?> body || !body.TryGetValue("degradation", out var d) || d is not IDictionary<object, object?> degradation)
                throw new InvalidDataException($"Validation suite file '{path}': condition '{name}' needs a 'degradation:' map.");
            try
            {
                var settings = degradation.ToDictionary(e => e.Key.ToString()!, e => e.Value);
                list.Add(new SuiteCondition(name, body.TryGetValue("description", out var text) ? text?.ToString() ?? "" : "", DegradationPipeline.FromDictionary(settings)));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Validation suite file '{path}': condition '{name}': {e.Message}", e);
            }
        }
        return new ValidationSuite
        {
            SharpFolder = Text("dataroot_sharp"), EveryNthVal = Number("every_nth_val", 8), CropSize = Number("crop_size", 256),
            Seed = Number("seed", 0), Conditions = list,
        };
    }

    /// <summary>The held-out photographs the suite degrades, in name order.</summary>
    public IReadOnlyList<string> Photos() =>
        SyntheticPairSet.HeldOut(ImageFiles.List(SharpFolder, "dataroot_sharp", recursive: true), EveryNthVal, heldOut: true);

    /// <summary>
    /// Writes every condition's pairs as 8-bit PNGs under <paramref name="outputFolder"/> and a README.md listing the
    /// conditions; reports one line per condition. Returns the number of pairs written.
    /// </summary>
    public int Generate(string outputFolder, Action<string>? progress = null)
    {
        var photos = Photos();
        var written = 0;
        foreach (var condition in Conditions)
        {
            var input = Directory.CreateDirectory(Path.Combine(outputFolder, condition.Name, "input")).FullName;
            var target = Directory.CreateDirectory(Path.Combine(outputFolder, condition.Name, "target")).FullName;
            foreach (var photo in photos)
            {
                var stem = Path.GetFileNameWithoutExtension(photo);
                using var sharp = ImageFiles.Read(photo);
                var rng = new Random(TrainingPairGenerator.SampleSeed(Seed, condition.Name + "/" + stem, 0));
                var (degraded, clean) = DegradationWindow.Degrade(condition.Pipeline, sharp, CropSize > 0 ? CropSize : int.MaxValue, random: false, rng);
                using (degraded)
                using (clean)
                {
                    WritePng(degraded, Path.Combine(input, stem + ".png"));
                    WritePng(clean, Path.Combine(target, stem + ".png"));
                }
                written++;
            }
            progress?.Invoke($"{condition.Name}: {photos.Count} pair(s) — {condition.Description}");
        }
        AtomicFile.Write(Path.Combine(outputFolder, "README.md"), (string temp) => File.WriteAllLines(temp,
            new[] { "# Validation suite", "", $"{photos.Count} held-out photos, centre {CropSize}² window, seed {Seed}.", "", "| condition | what it tests |", "|---|---|" }
                .Concat(Conditions.Select(c => $"| {c.Name} | {c.Description} |"))));
        return written;
    }

    static void WritePng(Mat image, string path) => AtomicFile.Write(path, (string temp) =>
    {
        using var bytes = new Mat();
        image.ConvertTo(bytes, MatType.CV_8U, 255.0);
        if (!Cv2.ImWrite(temp, bytes)) throw new IOException($"OpenCV could not write '{path}'.");
    });
}

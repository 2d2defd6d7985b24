using System.CommandLine;
using Restormer.Degradations;
using Restormer.Validation;
using Restormer.Training.Options;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>degrade</c>: turns a folder of sharp images into degraded/sharp training pairs
/// (<c>OUTPUT/input/NAME.png</c>, <c>OUTPUT/target/NAME.png</c>), e.g. to fine-tune a deblurring model.
/// </summary>
public static class DegradeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Option<string?>("--input", "-i") { Description = "Folder of sharp PNG/TIFF/JPEG/WebP images (8- or 16-bit); not needed with --suite." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder; receives input/, target/ and kernels/.", Required = true };
        var kind = new Option<string>("--kind", "-k")
        {
            Description = "Degradation: motion (camera shake), shake (hand shake), linear, camera (rotation), object (moving object), polyline, defocus, gaussian, none, noise, jpeg or mixed (random blur kind).",
            DefaultValueFactory = _ => "motion",
        };
        var seed = new Option<int>("--seed", "-s") { Description = "Random seed; the same seed gives the same pairs.", DefaultValueFactory = _ => 0 }.Within(0, int.MaxValue);
        var count = new Option<int>("--count-per-image", "-n") { Description = "Degraded copies per sharp image (named NAME_k.png when above 1).", DefaultValueFactory = _ => 1 }.Within(1, 1000);
        var saveKernels = new Option<bool>("--save-kernels") { Description = "Also write each blur kernel as a PNG under kernels/." };
        var options = new Option<string?>("--options") { Description = "A YAML file of degradation settings (the keys of a training option file's 'degradation:' block, see docs/degradations.md); overrides --kind." };
        var suite = new Option<string?>("--suite") { Description = "Make the validation suite a YAML file describes (e.g. options/validation_suite.yml): OUTPUT/<condition>/input|target for every condition, to score with 'test --input-dir OUTPUT'." };

        var command = new Command("degrade", "Make synthetic training pairs (degraded input, sharp target) from sharp images.");
        foreach (var option in new Option[] { input, output, kind, options, suite, seed, count, saveKernels }) command.Options.Add(option);
        command.SetAction(parseResult => Cli.Run(parseResult, cli =>
        {
                if (parseResult.GetValue(suite) is { } suiteFile)
                {
                    var written = ValidationSuite.Load(suiteFile).Generate(parseResult.GetValue(output)!, cli.Info);
                    cli.Info($"wrote {written} pair(s) to {Path.GetFullPath(parseResult.GetValue(output)!)}");
                    return 0;
                }
                if (parseResult.GetValue(input) is null) throw new ArgumentException("Give --input (a folder of sharp images) or --suite (a validation suite file).");
                var request = new TrainingPairRequest(
                    parseResult.GetValue(input)!, parseResult.GetValue(output)!, Pipeline(parseResult.GetValue(options), parseResult.GetValue(kind)!),
                    parseResult.GetValue(seed), parseResult.GetValue(count), parseResult.GetValue(saveKernels));
                var report = TrainingPairGenerator.Generate(request, cli.Info, cli.Warn);
                cli.Info($"wrote {report.PairsWritten} pair(s) from {report.ImagesDone} image(s) to {Path.GetFullPath(request.OutputFolder)}");
                if (report.Skipped.Count == 0) return 0;
                cli.Error($"{report.Skipped.Count} file(s) could not be used (listed above).");
                return 1;
        }));
        return command;
    }

    /// <summary>The pipeline from an option file when given, else the plain <paramref name="kind"/>.</summary>
    private static DegradationPipeline Pipeline(string? optionsFile, string kind)
    {
        if (optionsFile is null)
            return DegradationPipeline.ForKind(DegradationOptionsReader.ParseKind(kind));
        var map = YamlOptionReader.Load(optionsFile);
        return DegradationPipeline.FromDictionary(map.Keys.ToDictionary(key => key, map.Raw));
    }
}

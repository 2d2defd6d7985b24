using System.CommandLine;
using System.Diagnostics;
using Restormer.Training;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>generate-patches</c>: cuts full-resolution training pairs into overlapping patches, as the reference's
/// generate_patches_gopro.py (512×512, overlap 256), into <c>OUTPUT/input_crops</c> and <c>OUTPUT/target_crops</c>.
/// </summary>
public static class GeneratePatchesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Option<string>("--input-dir", "--input") { Description = "Folder of degraded full-size images (e.g. GoPro's blurred frames).", Required = true };
        var target = new Option<string>("--target-dir", "--target") { Description = "Folder of the sharp images, same file names as the inputs.", Required = true };
        var output = new Option<string>("--output-dir", "--output", "-o") { Description = "Folder that receives input_crops/ and target_crops/.", Required = true };
        var size = new Option<int>("--patch-size") { Description = "Patch side in pixels.", DefaultValueFactory = _ => 512 }.Within(8, 16384);
        var overlap = new Option<int>("--overlap") { Description = "Overlap of neighbouring patches in pixels.", DefaultValueFactory = _ => 256 }.Within(0, 16383);
        var center = new Option<int>("--center-crop") { Description = "Instead of patches, keep one centred crop of this side per pair (how the reference prepares its validation set, e.g. 256)." }.Within(0, 16384, "0: patches");
        var workers = new Option<int>("--workers") { Description = "Pairs processed in parallel (default: one per core)." }.Within(0, OptionRange.MaxThreads, "0: one per core");
        var command = new Command("generate-patches", "Cut full-resolution training pairs into overlapping patches; patches already written are kept.");
        foreach (var option in new Option[] { input, target, output, size, overlap, center, workers }) command.Options.Add(option);
        command.SetAction(parse => Cli.Run(parse, cli =>
        {
            var watch = Stopwatch.StartNew();
            var report = PatchGenerator.Generate(parse.GetValue(input)!, parse.GetValue(target)!, parse.GetValue(output)!,
                parse.GetValue(size), parse.GetValue(overlap), parse.GetValue(center), parse.GetValue(workers));
            cli.Info($"{report.Pairs} pair(s): {report.PatchesWritten} patch pair(s) written, {report.PatchesSkipped} already there, " +
                     $"in {watch.Elapsed.TotalSeconds:F1} s into {Path.GetFullPath(parse.GetValue(output)!)}");
            return 0;
        }));
        return command;
    }
}

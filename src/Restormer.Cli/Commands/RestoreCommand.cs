using System.CommandLine;
using Restormer.Engine;
using System.Diagnostics;
using Restormer.Inference;

namespace Restormer.Cli.Commands;

/// <summary><c>restore</c> (alias <c>demo</c>, the reference's script name): restores a file or a folder of images.</summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task", "-t") { Description = $"What to restore: {string.Join(", ", RestorationTask.All.Select(t => t.Name))} (reference spellings like Motion_Deblurring work too).", DefaultValueFactory = _ => RestorationTask.MotionDeblurring.Name };
        var input = new Option<string>("--input", "-i", "--input_dir", "--input-dir") { Description = "An image file or a folder of images.", Required = true };
        var output = new Option<string>("--output", "-o", "--result_dir", "--result-dir", "--output-dir") { Description = "Folder for the restored PNGs (<input stem>.png); created if missing.", DefaultValueFactory = _ => "results" };
        var weights = new Option<string?>("--weights", "-w") { Description = "A checkpoint (.pth or .safetensors); its architecture is read from the file. Default: the task's file in the models folder." };
        var common = new InferenceOptions();
        var command = new Command("restore", "Restore a photo or a folder of photos with a Restormer model.") { task, input, output, weights };
        command.Aliases.Add("demo");
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli => Run(cli,
            RestorationTask.Parse(parse.GetValue(task)!), parse.GetValue(input)!, parse.GetValue(output)!,
            parse.GetValue(weights), common.Read(parse), cancellation))));
        return command;
    }

    internal static int Run(Cli cli, RestorationTask task, string input, string output, string? weights, RestoreOptions options, CancellationToken cancellation)
    {
        var batch = ImageBatch.Plan(input, output);
        var loading = Stopwatch.StartNew();
        using var restorer = Restorer.Load(task, weights, options);
        cli.Info(restorer.UsesDefaultModel
            ? $"Using the shipped compact model {restorer.WeightsPath} (put the published {task.WeightsFileName} in {ModelStore.Default.Directory} for the paper's quality)."
            : $"Model: {restorer.WeightsPath} (dim {restorer.Config.Dim}, blocks [{string.Join(",", restorer.Config.NumBlocks)}], {restorer.Config.LayerNormType} LayerNorm, {restorer.Precision.Name()}; loaded in {loading.Elapsed.TotalSeconds:F1} s).");

        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        ProgressDisplay.Run(cli, "restoring", batch.Items.Count, display =>
        {
            foreach (var (index, (source, target)) in batch.Items.Index())
            {
                cancellation.ThrowIfCancellationRequested();
                display.Description = $"[{index + 1}/{batch.Items.Count}] {Path.GetFileName(source)}";
                var watch = Stopwatch.StartNew();
                try
                {
                    restorer.Restore(source, target, new Progress<double>(f => display.Value = index + f), cancellation);
                    display.Line($"ok   {Path.GetFileName(source)} -> {target} ({watch.Elapsed.TotalSeconds:F1} s)");
                }
                catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or OpenCvSharp.OpenCVException)
                {
                    failures.Add(source);
                    display.Line($"FAIL {Path.GetFileName(source)}: {e.Message} (skipped)");
                }
                display.Value = index + 1;
            }
        });
        int done = batch.Items.Count - failures.Count;
        cli.Info($"{done} of {batch.Items.Count} image(s) restored in {total.Elapsed.TotalSeconds:F1} s into {Path.GetFullPath(output)}" +
                 (failures.Count > 0 ? $"; {failures.Count} failed: {string.Join(", ", failures.Select(Path.GetFileName))}" : "."));
        return failures.Count == 0 ? 0 : 1;
    }
}

using System.CommandLine;
using Restormer.Inference;
using Restormer.Validation;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>test</c>, like the reference's per-task <c>test.py</c>: restores a test set and, when the set has ground truth
/// (<c>target/</c> beside <c>input/</c>, the reference's dataset layout), scores the results as <c>evaluate</c> does.
/// A validation suite (<c>degrade --suite</c>: one such folder per condition) is scored per condition.
/// </summary>
public static class TestCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task", "-t") { Description = "Task (decides the default weights and grayscale reading).", DefaultValueFactory = _ => RestorationTask.MotionDeblurring.Name };
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint to test (default: the task's weights in the models folder)." };
        var input = new Option<string>("--input-dir", "--input_dir", "-i") { Description = "Test set: a folder of images, a folder with input/ (and target/ for scoring), or a validation suite (one such folder per condition, see degrade --suite).", Required = true };
        var output = new Option<string>("--output-dir", "--result_dir", "-o") { Description = "Where restored PNGs and metrics.json/metrics.csv go.", Required = true };
        var crop = new Option<int>("--crop") { Description = "Border pixels excluded from PSNR/SSIM.", DefaultValueFactory = _ => 0 }.Within(0, 4096);
        var y = new Option<bool>("--y") { Description = "Score the Y channel (BT.601) instead of RGB." };
        var common = new InferenceOptions();
        var command = new Command("test", "Restore a test set and, if it has ground truth, report PSNR/SSIM.") { task, weights, input, output, crop, y };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli =>
        {
            var root = parse.GetValue(input)!;
            if (!Directory.Exists(Path.Combine(root, "input")) && SuiteReport.ConditionFolders(root) is { Count: > 0 } conditions)
                return RunSuite(cli, conditions, parse.GetValue(output)!, RestorationTask.Parse(parse.GetValue(task)!), parse.GetValue(weights), common.Read(parse), cancellation);
            var inputs = Directory.Exists(Path.Combine(root, "input")) ? Path.Combine(root, "input") : root;
            var outputDir = parse.GetValue(output)!;
            int restored = Restore(cli, RestorationTask.Parse(parse.GetValue(task)!), inputs, outputDir, parse.GetValue(weights), common.Read(parse), quiet: false, cancellation);
            var targets = Path.Combine(root, "target");
            if (!Directory.Exists(targets))
            {
                cli.Info($"No ground truth ({targets} is missing): restored only.");
                return restored;
            }
            int scored = EvaluateCommand.Run(cli, new DirectoryInfo(outputDir), new DirectoryInfo(targets),
                new FileInfo(Path.Combine(outputDir, "metrics.json")), new FileInfo(Path.Combine(outputDir, "metrics.csv")),
                parse.GetValue(crop), parse.GetValue(y));
            return Math.Max(restored, scored);
        })));
        return command;
    }

    /// <summary>Restores every condition of a suite into OUTPUT/&lt;condition&gt;/ and prints the per-condition table.</summary>
    static int RunSuite(Cli cli, IReadOnlyList<string> conditions, string output, RestorationTask task, string? weights, RestoreOptions options, CancellationToken cancellation)
    {
        var scores = new List<ConditionScore>();
        var failed = 0;
        foreach (var condition in conditions)
        {
            var restored = Path.Combine(output, Path.GetFileName(condition));
            failed = Math.Max(failed, Restore(cli, task, Path.Combine(condition, "input"), restored, weights, options, quiet: true, cancellation));
            scores.Add(SuiteReport.Score(condition, restored));
            cli.Info($"{scores[^1].Condition}: {scores[^1].Pairs} pair(s), {scores[^1].InputPsnr:F2} -> {scores[^1].RestoredPsnr:F2} dB");
        }
        var report = new SuiteReport(scores);
        report.WriteJson(Path.Combine(output, "conditions.json"));
        report.WriteMarkdown(Path.Combine(output, "conditions.md"));
        cli.Out.WriteLine(report.ToMarkdown());
        return failed;
    }

    /// <summary>Restores one folder into another; as the reference's test scripts, a rerun replaces the earlier results.</summary>
    static int Restore(Cli cli, RestorationTask task, string input, string output, string? weights, RestoreOptions options, bool quiet, CancellationToken cancellation) =>
        RestoreCommand.Run(cli, new RestoreCommand.Request(task, [input], output, weights, options, Format: null, Quality: 95, Recursive: false,
            IO.ExistingOutputs.Overwrite, Quiet: quiet, Json: false), cancellation);
}

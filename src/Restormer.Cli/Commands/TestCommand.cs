using System.CommandLine;
using Restormer.Inference;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>test</c>, like the reference's per-task <c>test.py</c>: restores a test set and, when the set has ground truth
/// (<c>target/</c> beside <c>input/</c>, the reference's dataset layout), scores the results as <c>evaluate</c> does.
/// </summary>
public static class TestCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task", "-t") { Description = "Task (decides the default weights and grayscale reading).", DefaultValueFactory = _ => RestorationTask.MotionDeblurring.Name };
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint to test (default: the task's weights in the models folder)." };
        var input = new Option<string>("--input-dir", "--input_dir", "-i") { Description = "Test set: a folder of images, or a folder with input/ (and target/ for scoring).", Required = true };
        var output = new Option<string>("--output-dir", "--result_dir", "-o") { Description = "Where restored PNGs and metrics.json/metrics.csv go.", Required = true };
        var crop = new Option<int>("--crop") { Description = "Border pixels excluded from PSNR/SSIM.", DefaultValueFactory = _ => 0 }.Within(0, 4096);
        var y = new Option<bool>("--y") { Description = "Score the Y channel (BT.601) instead of RGB." };
        var common = new InferenceOptions();
        var command = new Command("test", "Restore a test set and, if it has ground truth, report PSNR/SSIM.") { task, weights, input, output, crop, y };
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli =>
        {
            var root = parse.GetValue(input)!;
            var inputs = Directory.Exists(Path.Combine(root, "input")) ? Path.Combine(root, "input") : root;
            var outputDir = parse.GetValue(output)!;
            int restored = RestoreCommand.Run(cli, RestorationTask.Parse(parse.GetValue(task)!), inputs, outputDir,
                parse.GetValue(weights), common.Read(parse), cancellation);
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
}

using System.CommandLine;
using OpenCvSharp;
using Restormer.Cli.Commands;

namespace Restormer.Tests.Training;

public class TrainingCommandTests
{
    static (int Code, string Out, string Err) Invoke(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(GeneratePatchesCommand.Create());
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stdout.ToString(), stderr.ToString());
    }

    static string Pairs(string root, int size)
    {
        foreach (var sub in new[] { "lq", "gt" })
            Directory.CreateDirectory(Path.Combine(root, sub));
        for (int i = 0; i < 3; i++)
        {
            using var image = new Mat(size, size, MatType.CV_8UC3);
            Cv2.Randu(image, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
            Cv2.ImWrite(Path.Combine(root, "gt", $"{i}.png"), image);
            Cv2.ImWrite(Path.Combine(root, "lq", $"{i}.png"), image * 0.5);
        }
        return root;
    }

    [Fact]
    public void TrainRunsAnOptionFileAndReportsWhereOutputsWent()
    {
        var root = Pairs(TestPaths.NewTempDir("restormer-train-cli"), 16);
        var options = Path.Combine(root, "o.yml");
        File.WriteAllText(options, $$"""
            name: cli
            num_gpu: 0
            manual_seed: 1
            datasets:
              train: {type: Dataset_PairedImage, dataroot_lq: {{root}}/lq, dataroot_gt: {{root}}/gt, gt_size: 8, batch_size_per_gpu: 2, unknown_key: 1}
            network_g: {type: Restormer, dim: 8, num_blocks: [1, 1, 1, 1], num_refinement_blocks: 1, heads: [1, 1, 1, 1]}
            train:
              total_iter: 2
              scheduler: {type: CosineAnnealingRestartCyclicLR, periods: [2], eta_mins: [0.0001]}
              optim_g: {type: AdamW, lr: !!float 3e-4}
              pixel_opt: {type: L1Loss}
            logger: {print_freq: 1, save_checkpoint_freq: 10}
            """);
        var experiments = Path.Combine(root, "runs");

        var (code, stdout, stderr) = Invoke("train", "--opt", options, "--experiments-dir", experiments);

        Assert.True(code == 0, stderr);
        Assert.Contains("warning: ", stderr);
        Assert.Contains("'datasets.train.unknown_key'", stderr);
        Assert.Contains("iter:        2", stdout);
        Assert.Contains("it/s", stdout);
        Assert.Contains("Finished at iteration 2", stdout);
        Assert.True(File.Exists(Path.Combine(experiments, "cli", "models", "net_g_2.pth")));
        Assert.True(File.Exists(Path.Combine(experiments, "cli", "training_states", "2.state")));
    }

    [Fact]
    public void TrainReportsBadOptionsAsOneErrorLine()
    {
        var options = Path.Combine(TestPaths.NewTempDir(), "bad.yml");
        File.WriteAllText(options, "name: x\ndatasets: {}\n");
        var (code, _, stderr) = Invoke("train", "--opt", options);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("'datasets.train' is required", stderr);

        var (missingCode, _, missing) = Invoke("train", "--opt", options + ".nope");
        Assert.Equal(2, missingCode);
        Assert.Contains("does not exist", missing);
    }

    [Fact]
    public void GeneratePatchesCutsAndCounts()
    {
        var root = Pairs(TestPaths.NewTempDir("restormer-patch-cli"), 12);
        var output = Path.Combine(root, "crops");
        var (code, stdout, stderr) = Invoke("generate-patches", "--input-dir", Path.Combine(root, "lq"), "--target-dir", Path.Combine(root, "gt"),
            "--output-dir", output, "--patch-size", "8", "--overlap", "4");
        Assert.True(code == 0, stderr);
        Assert.Contains("3 pair(s): 12 patch pair(s) written, 0 already there", stdout);
        Assert.Equal(12, Directory.GetFiles(Path.Combine(output, "input_crops")).Length);

        var (badCode, _, bad) = Invoke("generate-patches", "--input-dir", Path.Combine(root, "none"), "--target-dir", Path.Combine(root, "gt"), "--output-dir", output);
        Assert.Equal(2, badCode);
        Assert.Contains("(input folder) does not exist", bad);
    }
}

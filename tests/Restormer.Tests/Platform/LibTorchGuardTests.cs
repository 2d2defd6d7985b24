using Restormer.Platform;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Platform;

/// <summary>
/// libtorch computes right here, as the library has set it up: small convolutions and a training step against float64,
/// every runtime against float64, and the one line the CLI prints when it had to switch oneDNN off. On a machine whose
/// CPU hides its cache sizes these fail without the guard (the probe's input gradient is 78 % off, or NaN).
/// </summary>
public class LibTorchGuardTests
{
    [Fact]
    public void SmallConvolutionsAndTheirGradientsMatchFloat64()
    {
        Assert.True(LibTorchGuard.Status.Correct, LibTorchGuard.Status.Protection);
        var result = ConvolutionProbe.Run();
        // Far inside the tolerance: float32 rounding gives about 1e-7, so the probe's own float64 sums agree with libtorch.
        Assert.True(result.Forward < 1e-5 && result.InputGradient < 1e-5 && result.WeightGradient < 1e-5, result.ToString());
    }

    [Fact]
    public void ATrainingStepsGradientsMatchFloat64()
    {
        var check = SelfChecks.TrainingGradients();
        Assert.True(check.Passed, check.Detail);
    }

    [Fact]
    public void EveryRuntimeMatchesFloat64OnTheBuiltInNetwork()
    {
        var checks = SelfChecks.Runtimes();
        Assert.Contains(checks, c => c.Name.Contains("libtorch module"));
        Assert.Contains(checks, c => c.Name.Contains("ONNX Runtime"));
        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
    }

    [Fact]
    public void SwitchingOneDnnOffIsSaidOnceInOneLineAndResultsStayRight()
    {
        using var folder = TestPaths.NewTempFolder();
        var input = folder["crop.png"];
        using (var crop = OpenCvSharp.Cv2.ImRead(Directory.GetFiles(Path.Combine(TestPaths.Shared, "data", "samples", "motion_blur"), "*.png").Order().First()))
        using (var part = new OpenCvSharp.Mat(crop, new OpenCvSharp.Rect(400, 200, 64, 64)))
            OpenCvSharp.Cv2.ImWrite(input, part);
        var weights = Path.Combine(TestPaths.RepoRoot, "models", "motion_deblurring_compact.pth");
        var outputs = new Dictionary<string, string>();
        foreach (var (runtime, oneDnn) in new[] { ("libtorch", "off"), ("engine", "off"), ("libtorch", "auto") })
        {
            var output = folder[$"{runtime}-{oneDnn}.png"];
            using var cli = CliProcess.Start(new Dictionary<string, string> { ["RESTORMER_ONEDNN"] = oneDnn }, "restore", input, "-o", output, "-w", weights, "--runtime", runtime);
            Assert.Equal(0, cli.WaitForExit(TimeSpan.FromSeconds(120)));
            var notes = cli.Err.Split('\n').Concat(cli.Out.Split('\n')).Where(l => l.Contains("oneDNN")).ToList();
            if (oneDnn == "off")
                Assert.Equal(["note: oneDNN switched off in libtorch: RESTORMER_ONEDNN=off; libtorch's own convolution kernels, checked against float64, are used instead (slower)."], notes.Select(l => l.TrimEnd('\r')));
            outputs[$"{runtime}-{oneDnn}"] = output;
        }
        // The module without oneDNN, the engine, and whatever the guard chose here: the same pixels within one level.
        using var reference = OpenCvSharp.Cv2.ImRead(outputs["engine-off"]);
        foreach (var other in new[] { "libtorch-off", "libtorch-auto" })
        {
            using var image = OpenCvSharp.Cv2.ImRead(outputs[other]);
            using var difference = new OpenCvSharp.Mat();
            OpenCvSharp.Cv2.Absdiff(image, reference, difference);
            OpenCvSharp.Cv2.MinMaxLoc(difference.Reshape(1), out _, out double worst);
            Assert.True(worst <= 1, $"{other}: {worst} levels from the engine");
        }
    }

    [Fact]
    public void DoctorReportsTheMachineAndPassesItsChecks()
    {
        var text = CliRunner.RunApp("doctor");
        Assert.True(text.ExitCode == 0, text.Out + text.Err);
        Assert.Matches(@"All \d+ checks hold\.", text.Out);
        foreach (var section in new[] { "System", "CPU", "Libraries", "Restore paths", "Protections", "Models in", "Checks" })
            Assert.Contains(section, text.Out);

        var json = CliRunner.RunApp("doctor", "--json");
        Assert.Equal(0, json.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(json.Out);
        var root = report.RootElement;
        Assert.Equal("2.10.0", root.GetProperty("libraries").GetProperty("libtorch").GetString());
        Assert.Matches(@"^\d+\.\d+", root.GetProperty("libraries").GetProperty("onednn").GetString());
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("cpu").GetProperty("logical_cores").GetInt32());
        Assert.Contains("libtorch_onednn", root.GetProperty("protections").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["auto", "bf16", "fp32"], root.GetProperty("restore_paths").EnumerateObject().Select(p => p.Name));
        Assert.Contains(root.GetProperty("models").GetProperty("files").EnumerateArray(), m => m.GetProperty("file").GetString() == "motion_deblurring_compact.pth");
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.True(checks.Count >= 4);
        Assert.All(checks, c => Assert.True(c.GetProperty("passed").GetBoolean(), c.ToString()));
    }
}

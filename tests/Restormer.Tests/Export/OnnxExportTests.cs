using Onnx;
using Restormer.Cli.Commands;
using Restormer.Engine;
using Restormer.Export;
using Restormer.Inference;
using Restormer.Model;
using Restormer.Runtimes;
using Restormer.Tests.Cli;
using Restormer.Tests.Model;
using static TorchSharp.torch;

namespace Restormer.Tests.Export;

/// <summary>Exported ONNX models run in ONNX Runtime (CPU) against the engine, the reference outputs and a real photo.</summary>
public class OnnxExportTests
{
    private static RestormerNet LoadCase(string name)
    {
        var model = new RestormerNet(ParityCase.Get(name).Config);
        model.LoadStateDict(ModelParityTests.ReadState(ParityCase.Get(name).WeightsPath));
        model.eval();
        return model;
    }

    private static float MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [MemberData(nameof(ParityCase.Names), MemberType = typeof(ParityCase))]
    public void OnnxRuntimeMatchesTheEngineAndTheReference(string name)
    {
        var testCase = ParityCase.Get(name);
        using var model = LoadCase(name);
        using var runner = new OnnxRuntimeRunner(OnnxExport.ToBytes(model));
        using var input = testCase.Input();
        using var output = runner.Forward(input);
        using var expected = testCase.ExpectedOutput();
        Assert.Equal(expected.shape, output.shape);
        Assert.True(MaxDifference(output, expected) <= 1e-4f, $"{name}: {MaxDifference(output, expected):E3} from the reference");
        if (!InferenceEngine.IsSupported) return;
        using var engine = new InferenceEngine(model);
        using var fromEngine = engine.Forward(input);
        Assert.True(MaxDifference(output, fromEngine) <= 1e-4f, $"{name}: {MaxDifference(output, fromEngine):E3} from the engine");
    }

    [Fact]
    public void GraphIsOpset17WithDynamicSides()
    {
        using var model = LoadCase("tiny_withbias");
        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        Assert.Equal(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
        var dims = proto.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["batch", "", "height", "width"], dims.Select(d => d.DimParam));
        Assert.Equal(3, dims[1].DimValue);
        Assert.Equal("output", proto.Graph.Output.Single().Name);
    }

    [Fact]
    public void HalfWeightsHalveTheFileAndStayClose()
    {
        var testCase = ParityCase.Get("small_default_heads");
        using var model = LoadCase(testCase.Name);
        byte[] full = OnnxExport.ToBytes(model), half = OnnxExport.ToBytes(model, halfWeights: true);
        Assert.InRange(half.Length, full.Length * 0.45, full.Length * 0.6);
        using var a = new OnnxRuntimeRunner(full);
        using var b = new OnnxRuntimeRunner(half);
        using var input = testCase.Input();
        using var x = a.Forward(input);
        using var y = b.Forward(input);
        float difference = MaxDifference(x, y);
        Assert.True(difference > 0 && difference < 2e-3f, $"float16 weights changed the output by {difference:E3}");
    }

    [Fact]
    public void RestoresAPhotoWithinOneLevelOfTheEngine()
    {
        // The shipped compact motion-deblurring model on a crop of a real blurred frame (sides not multiples of 8).
        using var model = TestPhotos.CompactMotionModel();
        using var image = TestPhotos.MotionBlurCrop(400, 200, 317, 237);
        using var onnx = new TiledRestorer(model, new RestoreOptions { Runtime = InferenceRuntime.OnnxRuntime });
        using var reference = new TiledRestorer(model, new RestoreOptions());
        Assert.Equal("ONNX Runtime (cpu)", onnx.RuntimeName);
        using var a = onnx.Restore(image);
        using var b = reference.Restore(image);
        using var levels = ((a * 255).round() - (b * 255).round()).abs();
        Assert.True(levels.max().item<float>() <= 1, $"{levels.max().item<float>()} levels apart");
    }

    [Fact]
    public void ExportCommandWritesAFileRestoreRunsInOnnxRuntime()
    {
        var folder = TestPaths.NewTempDir("onnx-export");
        try
        {
            var weights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
            var file = Path.Combine(folder, "model.onnx");
            var export = CliRunner.Run(ExportCommand.Create(), "--weights", weights, "--output", file);
            Assert.True(export.ExitCode == 0, export.Err);
            Assert.Contains("opset 17", export.Out);

            var photo = Path.Combine(folder, "in.png");
            using (var source = OpenCvSharp.Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png")))
            using (var small = source.Resize(new OpenCvSharp.Size(45, 37)))
                OpenCvSharp.Cv2.ImWrite(photo, small);
            var (fromFile, fromEngine) = (Path.Combine(folder, "onnx"), Path.Combine(folder, "engine"));
            var restore = CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", photo, "-o", fromFile, "--runtime", "onnxruntime", "--onnx", file);
            Assert.True(restore.ExitCode == 0, restore.Err + restore.Out);
            Assert.Equal(0, CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", photo, "-o", fromEngine).ExitCode);
            using var a = OpenCvSharp.Cv2.ImRead(Path.Combine(fromFile, "in.png"));
            using var b = OpenCvSharp.Cv2.ImRead(Path.Combine(fromEngine, "in.png"));
            Assert.True(OpenCvSharp.Cv2.Norm(a, b, OpenCvSharp.NormTypes.INF) <= 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MissingOrBrokenOnnxFilesAreOneLineErrors()
    {
        var folder = TestPaths.NewTempDir("onnx-bad");
        try
        {
            var weights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
            var photo = Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png");
            var missing = CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", photo, "-o", folder, "--runtime", "onnxruntime", "--onnx", Path.Combine(folder, "none.onnx"));
            Assert.Equal(2, missing.ExitCode);
            Assert.Contains("none.onnx: no such ONNX model", missing.Err);
            var broken = Path.Combine(folder, "broken.onnx");
            File.WriteAllText(broken, "not a model");
            var result = CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", photo, "-o", folder, "--runtime", "onnxruntime", "--onnx", broken);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("broken.onnx: ONNX Runtime cannot load it", result.Err);
            Assert.Single(result.Err.Trim().Split('\n'));
            var provider = CliRunner.Run(RestoreCommand.Create(), "--weights", weights, "-i", photo, "-o", folder, "--runtime", "onnxruntime", "--execution-provider", "tpu");
            Assert.Equal(2, provider.ExitCode);
            Assert.Contains("Unknown execution provider 'tpu'", provider.Err);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

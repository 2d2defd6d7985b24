using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Restormer.Runtimes;

/// <summary>
/// Runs a Restormer ONNX model (<see cref="Export.OnnxExport"/>) in ONNX Runtime on a chosen execution provider:
/// <c>cpu</c> (in the Microsoft.ML.OnnxRuntime package this project uses), or <c>cuda</c>, <c>directml</c>,
/// <c>coreml</c> where the application ships an ONNX Runtime build with that provider (Microsoft.ML.OnnxRuntime.Gpu,
/// Microsoft.ML.OnnxRuntime.DirectML, the macOS build); those are not tested here.
/// </summary>
public sealed class OnnxRuntimeRunner : IDisposable
{
    /// <summary>The execution providers <see cref="OnnxRuntimeRunner"/> knows how to ask for.</summary>
    public static readonly IReadOnlyList<string> Providers = ["cpu", "cuda", "directml", "coreml"];

    private readonly InferenceSession session;

    /// <summary>The provider the session runs on (one of <see cref="Providers"/>).</summary>
    public string ExecutionProvider { get; }

    /// <summary>
    /// Opens a session for an ONNX model given as bytes. <paramref name="threads"/> sets the CPU provider's intra-op
    /// threads (default: one per core). Throws <see cref="ArgumentException"/> for an unknown provider and
    /// <see cref="NotSupportedException"/> for one this ONNX Runtime build lacks.
    /// </summary>
    public OnnxRuntimeRunner(byte[] model, string executionProvider = "cpu", int? threads = null)
    {
        ExecutionProvider = executionProvider.Trim().ToLowerInvariant();
        using var options = SessionOptionsFor(ExecutionProvider, threads);
        session = new InferenceSession(model, options);
    }

    /// <summary>Opens an exported model file; a file ONNX Runtime cannot load is an <see cref="InvalidDataException"/> naming it.</summary>
    public static OnnxRuntimeRunner Open(string path, string executionProvider = "cpu", int? threads = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such ONNX model; write one with 'restormer export --weights W.pth --output {Path.GetFileName(path)}'.", path);
        try
        {
            return new OnnxRuntimeRunner(File.ReadAllBytes(path), executionProvider, threads);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: ONNX Runtime cannot load it ({e.Message.Split('\n')[0]}); export it again with 'restormer export'.", e);
        }
    }

    private static SessionOptions SessionOptionsFor(string provider, int? threads)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads is int count) options.IntraOpNumThreads = count;
        try
        {
            switch (provider)
            {
                case "cpu": break;
                case "cuda": options.AppendExecutionProvider_CUDA(0); break;
                case "directml": options.AppendExecutionProvider_DML(0); break;
                case "coreml": options.AppendExecutionProvider_CoreML(); break;
                default:
                    options.Dispose();
                    throw new ArgumentException($"Unknown execution provider '{provider}': use {string.Join(", ", Providers)}.");
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            options.Dispose();
            throw new NotSupportedException($"This ONNX Runtime build has no {provider} execution provider ({e.Message.Split('\n')[0]}): use --execution-provider cpu, or install the ONNX Runtime package with {provider}.", e);
        }
        return options;
    }

    /// <summary>The network's output for a float32 N×C×H×W batch (sides multiples of 8), as a new CPU tensor.</summary>
    public Tensor Forward(Tensor input)
    {
        using var contiguous = input.to(ScalarType.Float32).cpu().contiguous();
        using var value = OrtValue.CreateTensorValueFromMemory(contiguous.data<float>().ToArray(), contiguous.shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["input"], [value], ["output"]);
        var result = outputs[0];
        return tensor(result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => session.Dispose();
}

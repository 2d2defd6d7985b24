namespace Restormer.Inference;

/// <summary>What runs the network.</summary>
public enum InferenceRuntime
{
    /// <summary>The engine where the CPU runs it (AVX-512 or AVX2), else the libtorch module (also on CUDA).</summary>
    Auto,

    /// <summary>The channels-last <see cref="Engine.InferenceEngine"/> (CPU with AVX-512 or AVX2 + FMA).</summary>
    Engine,

    /// <summary>The module's forward in libtorch: the reference path, on the CPU or CUDA.</summary>
    Libtorch,

    /// <summary>The model exported to ONNX (<see cref="Export.OnnxExport"/>) in ONNX Runtime, on <see cref="RestoreOptions.ExecutionProvider"/>.</summary>
    OnnxRuntime,
}

/// <summary>Parsing and naming <see cref="InferenceRuntime"/>.</summary>
public static class InferenceRuntimes
{
    /// <summary>Reads <c>auto</c>, <c>engine</c>, <c>libtorch</c> (or <c>module</c>) and <c>onnxruntime</c> (or <c>onnx</c>, <c>ort</c>).</summary>
    public static InferenceRuntime Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => InferenceRuntime.Auto,
        "engine" => InferenceRuntime.Engine,
        "libtorch" or "module" or "torch" => InferenceRuntime.Libtorch,
        "onnxruntime" or "onnx" or "ort" => InferenceRuntime.OnnxRuntime,
        _ => throw new ArgumentException($"Unknown runtime '{text}': use auto, engine, libtorch or onnxruntime."),
    };
}

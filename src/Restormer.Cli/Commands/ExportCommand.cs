using System.CommandLine;
using Restormer.Export;
using Restormer.IO;
using Restormer.Model;

namespace Restormer.Cli.Commands;

/// <summary><c>export</c>: writes a checkpoint as an ONNX model for other runtimes (ONNX Runtime with DirectML, CUDA, CoreML…).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights", "-w") { Description = "The checkpoint to export (.pth or .safetensors, any Restormer architecture).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The .onnx file to write.", Required = true };
        var half = new Option<bool>("--fp16") { Description = "Store the weights as float16 (half the file; the graph casts them to float32 and computes in float32)." };
        var overwrite = Cli.OverwriteOption();
        var command = new Command("export", $"Export a checkpoint as an ONNX model (opset {OnnxExport.Opset}, input N×C×H×W with dynamic sides: pad them to multiples of 8, clamp the output to [0,1]).")
            { weights, output, half, overwrite };
        command.SetAction(parse => Cli.Run(parse, cli =>
        {
            string source = parse.GetValue(weights)!, target = parse.GetValue(output)!;
            if (FilePaths.Canonical(source) == FilePaths.Canonical(target))
                throw new ArgumentException($"--output {target} is the checkpoint itself: choose another file name (e.g. model.onnx).");
            Cli.RefuseToReplace(target, parse.GetValue(overwrite));
            using var model = RestormerNet.FromCheckpoint(source);
            OnnxExport.Write(model, target, parse.GetValue(half));
            cli.Info($"Wrote {target} ({new FileInfo(target).Length / 1048576.0:F1} MiB): {model.Config}, opset {OnnxExport.Opset}, " +
                     $"{(parse.GetValue(half) ? "float16" : "float32")} weights; input 'input' N×{model.Config.InpChannels}×H×W (H, W multiples of 8), output 'output'.");
            return 0;
        }));
        return command;
    }
}

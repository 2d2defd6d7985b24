using System.CommandLine;
using Restormer.Checkpoints;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>new-model</c>: writes a freshly initialised Restormer (PyTorch's default initialisation) as a published-layout
/// .pth, for benchmarks, memory checks and as a starting point for training from scratch.
/// </summary>
public static class NewModelCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "The .pth file to write.", Required = true };
        var dim = new Option<int>("--dim") { Description = "Model width.", DefaultValueFactory = _ => 48 }.Within(1, 1024);
        var blocks = new Option<string>("--blocks") { Description = "Transformer blocks per level, e.g. 4,6,6,8.", DefaultValueFactory = _ => "4,6,6,8" };
        var refinement = new Option<int>("--refinement") { Description = "Refinement blocks.", DefaultValueFactory = _ => 4 }.Within(0, 64);
        var heads = new Option<string>("--heads") { Description = "Attention heads per level.", DefaultValueFactory = _ => "1,2,4,8" };
        var layerNorm = new Option<LayerNormType>("--layernorm") { Description = "WithBias or BiasFree.", DefaultValueFactory = _ => LayerNormType.WithBias };
        var channels = new Option<int>("--channels") { Description = "Image channels (1 for grayscale).", DefaultValueFactory = _ => 3 }.OneOf(1, 3);
        var overwrite = Cli.OverwriteOption();
        var seed = new Option<long>("--seed") { Description = "Random seed of the initialisation.", DefaultValueFactory = _ => 0 }.Within(0L, long.MaxValue);
        var command = new Command("new-model", "Write a randomly initialised Restormer checkpoint (e.g. the full-size model for benchmarks).")
            { output, dim, blocks, refinement, heads, layerNorm, channels, seed, overwrite };
        command.SetAction(parse => Cli.Run(parse, cli =>
        {
            Cli.RefuseToReplace(parse.GetValue(output)!, parse.GetValue(overwrite));
            var config = new RestormerConfig
            {
                InpChannels = parse.GetValue(channels), OutChannels = parse.GetValue(channels), Dim = parse.GetValue(dim),
                NumBlocks = Counts(parse.GetValue(blocks)!, "--blocks"), NumRefinementBlocks = parse.GetValue(refinement),
                Heads = Counts(parse.GetValue(heads)!, "--heads"), LayerNormType = parse.GetValue(layerNorm),
            };
            manual_seed(parse.GetValue(seed));
            using var model = new RestormerNet(config);
            CheckpointFile.SavePth(parse.GetValue(output)!, model.state_dict());
            cli.Info($"Wrote {parse.GetValue(output)}: {config} with {model.parameters().Sum(p => p.numel()):N0} parameters.");
            return 0;
        }));
        return command;
    }

    private static int[] Counts(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.Length == 4 && parts.All(p => int.TryParse(p, out _))
            ? parts.Select(int.Parse).ToArray()
            : throw new ArgumentException($"{option} needs four comma-separated counts, got '{text}'.");
    }
}

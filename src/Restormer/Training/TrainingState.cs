using System.Globalization;
using Restormer.Checkpoints;
using Restormer.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>
/// A resumable snapshot of a run (<c>training_states/&lt;iter&gt;.state</c>): one safetensors file holding the network
/// weights (<c>net_g/…</c>), AdamW's moment estimates (<c>optim/exp_avg/…</c>, <c>optim/exp_avg_sq/…</c>) and, as
/// string metadata, the iteration, AdamW's step count and the seed. The seed is the whole random state: every random
/// choice of iteration i is derived from (seed, i), so the learning rate, data order, crops, augmentation and mixup
/// after resuming are those of an uninterrupted run. The file is written atomically.
/// </summary>
public static class TrainingState
{
    const string FormatName = "restormer-training-state";
    const string FormatVersion = "1";
    const string NetPrefix = "net_g/", ExpAvgPrefix = "optim/exp_avg/", ExpAvgSqPrefix = "optim/exp_avg_sq/";

    /// <summary>What a state file says besides the tensors.</summary>
    public sealed record Info(long Iteration, int Seed, long OptimizerStep);

    /// <summary>Writes the state of <paramref name="net"/> and <paramref name="optimizer"/> after <paramref name="iteration"/>.</summary>
    public static void Save(string path, long iteration, int seed, RestormerNet net, AdamW optimizer)
    {
        var moments = Moments(net, optimizer);
        var tensors = net.state_dict().Select(p => KeyValuePair.Create(NetPrefix + p.Key, p.Value))
            .Concat(moments.Select(m => KeyValuePair.Create(ExpAvgPrefix + m.Name, m.State.exp_avg)))
            .Concat(moments.Select(m => KeyValuePair.Create(ExpAvgSqPrefix + m.Name, m.State.exp_avg_sq)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["iteration"] = iteration.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = "AdamW",
            ["optimizer_step"] = (moments.FirstOrDefault().State?.step ?? 0).ToString(CultureInfo.InvariantCulture),
            ["network"] = net.Config.ToString(),
        };
        CheckpointFile.SaveSafetensors(path, tensors, metadata);
    }

    /// <summary>Reads only the metadata (iteration and seed) of a state file.</summary>
    public static Info ReadInfo(string path)
    {
        var (tensors, metadata) = CheckpointFile.LoadSafetensors(path);
        foreach (var tensor in tensors.Values) tensor.Dispose();
        return ParseInfo(path, metadata);
    }

    /// <summary>
    /// Restores weights and optimiser moments saved by <see cref="Save"/> into a network of the same architecture
    /// and an AdamW optimiser over its parameters.
    /// </summary>
    public static Info Load(string path, RestormerNet net, AdamW optimizer)
    {
        var (tensors, metadata) = CheckpointFile.LoadSafetensors(path);
        try
        {
            var info = ParseInfo(path, metadata);
            var weights = tensors.Where(t => t.Key.StartsWith(NetPrefix, StringComparison.Ordinal))
                .ToDictionary(t => t.Key[NetPrefix.Length..], t => t.Value);
            try
            {
                net.LoadStateDict(weights, strict: true);
            }
            catch (StateDictMismatchException e)
            {
                throw new CheckpointException(path, $"was saved by a different network ({e.Message.TrimEnd('.')})",
                    "Resume with the option file the state was made with (same network_g)", e);
            }
            using var noGrad = no_grad();
            foreach (var (name, state) in Moments(net, optimizer))
            {
                state.exp_avg.copy_(Require(tensors, path, ExpAvgPrefix + name));
                state.exp_avg_sq.copy_(Require(tensors, path, ExpAvgSqPrefix + name));
                state.step = info.OptimizerStep;
            }
            return info;
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    static Tensor Require(IReadOnlyDictionary<string, Tensor> tensors, string path, string key) =>
        tensors.TryGetValue(key, out var t) ? t
            : throw new CheckpointException(path, $"lacks the optimiser tensor '{key}'", "Resume from a state file written by 'restormer train'");

    static Info ParseInfo(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("format", out var format) || format != FormatName)
            throw new CheckpointException(path, "is not a training state", "Pass a training_states/<iter>.state file written by 'restormer train' (a .pth holds weights only; use pretrain_network_g for those)");
        if (metadata.GetValueOrDefault("version") != FormatVersion)
            throw new CheckpointException(path, $"has training-state version {metadata.GetValueOrDefault("version")}, this program reads version {FormatVersion}", "Resume it with the version of the program that wrote it");
        long Number(string key) => long.TryParse(metadata.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : throw new CheckpointException(path, $"has no valid '{key}' entry", "The file is damaged: resume from an earlier state");
        return new Info(Number("iteration"), (int)Number("seed"), Number("optimizer_step"));
    }

    // Each trainable parameter's name with its AdamW state, in the optimiser's order (that of net.parameters()).
    static List<(string Name, AdamW.State State)> Moments(RestormerNet net, AdamW optimizer)
    {
        var names = net.named_parameters().Select(p => p.name).ToList();
        var states = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        if (names.Count != states.Count)
            throw new InvalidOperationException("The optimiser does not cover exactly the network's parameters.");
        return names.Zip(states, (n, s) => (n, s)).ToList();
    }
}

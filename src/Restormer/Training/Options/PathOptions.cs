namespace Restormer.Training.Options;

/// <summary>The <c>path</c> section: weights to start from and a state to resume.</summary>
public sealed record PathOptions
{
    /// <summary>A <c>.pth</c> (or <c>.safetensors</c>) whose weights initialise the network (<c>pretrain_network_g</c>).</summary>
    public string? PretrainNetworkG { get; init; }
    /// <summary>Require every weight of the network to be present with the right shape (<c>strict_load_g</c>).</summary>
    public bool StrictLoadG { get; init; } = true;
    /// <summary>
    /// With <see cref="StrictLoadG"/> off, Transformer blocks the pre-trained weights lack start as identities
    /// (<c>identity_new_blocks</c>, this port's own key; see <see cref="IdentityBlocks"/>): a deeper network then
    /// continues from a shallower one's output instead of from random blocks.
    /// </summary>
    public bool IdentityNewBlocks { get; init; }
    /// <summary>The key of the weights inside the checkpoint (<c>param_key</c>, default <c>params</c>).</summary>
    public string ParamKey { get; init; } = "params";
    /// <summary>A training state to resume (<c>resume_state</c>; the <c>--resume</c> option wins).</summary>
    public string? ResumeState { get; init; }

    internal static PathOptions Parse(OptionMap? map)
    {
        if (map is null)
            return new PathOptions();
        map.Accept("root", "experiments_root", "models", "training_states", "log", "visualization");
        return new PathOptions
        {
            PretrainNetworkG = ExpandHome(map.Get<string?>("pretrain_network_g", null)),
            StrictLoadG = map.Get("strict_load_g", true),
            IdentityNewBlocks = map.Get("identity_new_blocks", false),
            ParamKey = map.Get("param_key", "params"),
            ResumeState = ExpandHome(map.Get<string?>("resume_state", null)),
        };
    }

    /// <summary>Expands a leading <c>~/</c> like the reference's <c>os.path.expanduser</c>.</summary>
    internal static string? ExpandHome(string? path) =>
        path is not null && (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}

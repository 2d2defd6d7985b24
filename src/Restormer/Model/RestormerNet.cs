using Restormer.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>
/// Restormer (Zamir et al., CVPR 2022, Fig. 2): overlapped patch embedding, a 4-level encoder–decoder of Transformer
/// blocks with pixel-(un)shuffle resampling and concatenated skips (reduced by 1×1 convs at levels 3 and 2), refinement
/// blocks at full resolution, a 3×3 output conv and a global residual. Field names are the reference's state-dict
/// names, so published checkpoints load unchanged.
/// </summary>
public sealed class RestormerNet : nn.Module<Tensor, Tensor>
{
    private readonly OverlapPatchEmbed patch_embed;
    private readonly Sequential encoder_level1;
    private readonly Downsample down1_2;
    private readonly Sequential encoder_level2;
    private readonly Downsample down2_3;
    private readonly Sequential encoder_level3;
    private readonly Downsample down3_4;
    private readonly Sequential latent;
    private readonly Upsample up4_3;
    private readonly Conv2d reduce_chan_level3;
    private readonly Sequential decoder_level3;
    private readonly Upsample up3_2;
    private readonly Conv2d reduce_chan_level2;
    private readonly Sequential decoder_level2;
    private readonly Upsample up2_1;
    private readonly Sequential decoder_level1;
    private readonly Sequential refinement;
    private readonly Conv2d? skip_conv;
    private readonly Conv2d output;

    /// <summary>The constructor arguments this network was built with.</summary>
    public RestormerConfig Config { get; }

    /// <summary>
    /// How each Transformer block is called; null calls it directly. Training can install activation checkpointing
    /// here (recompute the block in the backward pass instead of keeping its activations).
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>? BlockRunner { get; set; }

    public RestormerNet(RestormerConfig config) : base("Restormer")
    {
        config.Validate();
        // Every libtorch computation in the library starts from a network: check libtorch's convolutions here first.
        Platform.LibTorchGuard.Ensure();
        Config = config;
        int dim = config.Dim;
        var (blocks, heads) = (config.NumBlocks, config.Heads);

        patch_embed = new OverlapPatchEmbed(config.InpChannels, dim);
        encoder_level1 = Blocks(blocks[0], dim, heads[0]);
        down1_2 = new Downsample(dim);
        encoder_level2 = Blocks(blocks[1], dim * 2, heads[1]);
        down2_3 = new Downsample(dim * 2);
        encoder_level3 = Blocks(blocks[2], dim * 4, heads[2]);
        down3_4 = new Downsample(dim * 4);
        latent = Blocks(blocks[3], dim * 8, heads[3]);

        up4_3 = new Upsample(dim * 8);
        reduce_chan_level3 = nn.Conv2d(dim * 8, dim * 4, 1, bias: config.Bias);
        decoder_level3 = Blocks(blocks[2], dim * 4, heads[2]);
        up3_2 = new Upsample(dim * 4);
        reduce_chan_level2 = nn.Conv2d(dim * 4, dim * 2, 1, bias: config.Bias);
        decoder_level2 = Blocks(blocks[1], dim * 2, heads[1]);
        up2_1 = new Upsample(dim * 2);
        decoder_level1 = Blocks(blocks[0], dim * 2, heads[0]);
        refinement = Blocks(config.NumRefinementBlocks, dim * 2, heads[0]);

        if (config.DualPixelTask)
            skip_conv = nn.Conv2d(dim, dim * 2, 1, bias: config.Bias);
        output = nn.Conv2d(dim * 2, config.OutChannels, 3, padding: 1, bias: config.Bias);
        RegisterComponents();

        Sequential Blocks(int count, int channels, int numHeads) =>
            nn.Sequential(Enumerable.Range(0, count).Select(_ => (nn.Module<Tensor, Tensor>)new TransformerBlock(channels, numHeads, config)).ToArray());
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var inpEncLevel1 = patch_embed.call(input);
        var outEncLevel1 = Run(encoder_level1, inpEncLevel1, keepInput: skip_conv is not null);
        var outEncLevel2 = Run(encoder_level2, down1_2.call(outEncLevel1));
        var outEncLevel3 = Run(encoder_level3, down2_3.call(outEncLevel2));
        var outLatent = Run(latent, down3_4.call(outEncLevel3));

        var outDecLevel3 = Run(decoder_level3, SkipMerge(up4_3.call(outLatent), outEncLevel3, reduce_chan_level3));
        var outDecLevel2 = Run(decoder_level2, SkipMerge(up3_2.call(outDecLevel3), outEncLevel2, reduce_chan_level2));
        var outDecLevel1 = Run(decoder_level1, SkipMerge(up2_1.call(outDecLevel2), outEncLevel1, reduce: null));
        var refined = Run(refinement, outDecLevel1);

        var result = skip_conv is null
            ? output.call(refined) + input
            : output.call(refined + skip_conv.call(inpEncLevel1));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Builds the network a checkpoint describes (<see cref="ArchitectureInference"/>) and loads it strictly.
    /// Any problem is a <see cref="CheckpointException"/> naming the file.
    /// </summary>
    public static RestormerNet FromCheckpoint(string path)
    {
        var state = CheckpointFile.Load(path);
        try
        {
            var model = new RestormerNet(CheckedArchitecture(path, state));
            try
            {
                model.LoadStateDict(state);
            }
            catch (StateDictMismatchException e)
            {
                model.Dispose();
                throw new CheckpointException(path, e.Message.TrimEnd('.'), "The file does not fit the architecture it describes: re-export it from the training run", e);
            }
            return model;
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// The architecture a checkpoint describes, with the checks <see cref="FromCheckpoint"/> makes before building
    /// (it declares no more weights than it holds, all finite), without building the network: for listings and for
    /// checking a download against the architecture its name needs.
    /// </summary>
    public static RestormerConfig ReadArchitecture(string path)
    {
        var state = CheckpointFile.Load(path);
        try
        {
            return CheckedArchitecture(path, state);
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    private static RestormerConfig CheckedArchitecture(string path, IReadOnlyDictionary<string, Tensor> state)
    {
        RestormerConfig config;
        try
        {
            config = ArchitectureInference.FromStateDict(state);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new CheckpointException(path, $"not a Restormer checkpoint ({e.Message})", "Pass the weights of a Restormer model (the published .pth files or ones trained with this tool)", e);
        }
        // Bound what gets built by what the file holds: a few bytes declaring a wide network must not cost gigabytes.
        double needed = Inference.ModelCost.Parameters(config);
        long held = state.Values.Sum(tensor => tensor.numel());
        if (needed > held)
            throw new CheckpointException(path, $"declares a network of {needed:N0} weights (dim {config.Dim}, blocks [{string.Join(",", config.NumBlocks)}], heads [{string.Join(",", config.Heads)}]) but holds only {held:N0} values",
                "The file is not a whole Restormer checkpoint (truncated, or crafted): use the published file or one trained with this tool");
        if (state.FirstOrDefault(entry => !IsFinite(entry.Value)) is { Key: { } damaged })
            throw new CheckpointException(path, $"tensor '{ArchitectureInference.Abbreviate(damaged)}' holds NaN or infinite values",
                "The weights are damaged (a diverged training run, a bad conversion): use an earlier checkpoint");
        return config;
    }

    /// <summary>True unless a floating-point tensor holds a NaN or an infinity.</summary>
    private static bool IsFinite(Tensor tensor) =>
        !tensor.is_floating_point() || Interop.GcPause.Run(() => { using var finite = tensor.isfinite().all(); return finite.item<bool>(); });

    /// <summary>
    /// Copies a reference state dict into this network. With <paramref name="strict"/>, any missing, unexpected or
    /// mis-shaped tensor is a <see cref="StateDictMismatchException"/> and nothing is copied.
    /// Values of another floating dtype are converted to the parameter's dtype.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Where(p => state.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key} (checkpoint [{string.Join(",", state[p.Key].shape)}], network [{string.Join(",", p.Value.shape)}])").ToList();
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new StateDictMismatchException(missing, unexpected, mismatched);
        using var noGrad = no_grad();
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source))
                target.copy_(source);
    }

    /// <summary>Concatenates the decoder input with the encoder skip, reducing channels with a 1×1 conv where the level has one.</summary>
    private static Tensor SkipMerge(Tensor upsampled, Tensor skip, Conv2d? reduce)
    {
        var merged = cat([upsampled, skip], 1);
        upsampled.Dispose();
        if (reduce is null) return merged;
        using (merged) return reduce.call(merged);
    }

    /// <summary>
    /// Runs a level's blocks in turn, freeing each intermediate (and the level's input unless kept) as soon as the next
    /// block has consumed it, so inference holds few full-resolution activations at once. Autograd keeps its own
    /// references, so this is safe while training too.
    /// </summary>
    private Tensor Run(Sequential blocks, Tensor x, bool keepInput = false)
    {
        var current = x;
        foreach (var block in blocks.children())
        {
            var module = (nn.Module<Tensor, Tensor>)block;
            var next = BlockRunner is { } run ? run(module, current) : module.call(current);
            if (!ReferenceEquals(current, x) || !keepInput) current.Dispose();
            current = next;
        }
        return current;
    }
}

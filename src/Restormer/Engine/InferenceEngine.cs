using Restormer.Model;
using static TorchSharp.torch;

using Restormer.Inference;

namespace Restormer.Engine;

/// <summary>
/// Inference-only executor for a loaded <see cref="RestormerNet"/> on the CPU: the same function as the module's
/// forward, computed faster and in less memory. Activations are channels-last end to end; weights are packed once
/// (LayerNorm affine folded into the following 1×1 conv, project_out folded into the attention); the full-resolution
/// levels run in row bands, so intermediates stay in cache and large images need only a few full-size buffers; the
/// depthwise convolutions with what follows them are fused AVX-512 or AVX2 kernels (<see cref="EngineIsa"/>), the
/// matrix products are libtorch's.
/// With <see cref="Precision.Bf16"/> the convolutions and matrix products take bfloat16 while LayerNorm, softmax, the
/// residual stream and accumulations stay float32. The module remains the reference (and the training path).
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly EngineSettings settings;
    private readonly StripeWorkers workers;
    private readonly PackedTransformerBlock[][] levels; // encoder 1–3, latent, decoder 3–1, refinement
    private readonly Tensor patchEmbed, output;
    private readonly Tensor? outputBias;
    private readonly Tensor[] down, up;  // 3×3 conv weights in the compute dtype
    private readonly (Tensor WeightT, Tensor? Bias) reduce3, reduce2;
    private readonly (Tensor WeightT, Tensor? Bias)? skip;

    /// <summary>The architecture, as the model's.</summary>
    public RestormerConfig Config { get; }

    /// <summary>The precision in use (never <see cref="Precision.Auto"/>).</summary>
    public Precision Precision { get; }

    /// <summary>The instruction set of the fused kernels.</summary>
    public EngineIsa Isa => settings.Isa;

    /// <summary>True when this CPU runs the engine's kernels (AVX-512 F/BW/VL, or AVX2 with FMA); otherwise use the module's forward.</summary>
    public static bool IsSupported => EngineIsas.Best is not null;

    /// <summary>
    /// Packs copies of <paramref name="model"/>'s current weights (later changes to the model are not seen).
    /// <paramref name="threads"/> defaults to libtorch's thread count; <paramref name="bandPixels"/> to a size tuned for
    /// CPU caches; <paramref name="isa"/> to the widest the CPU runs (<see cref="EngineIsas.Best"/>).
    /// </summary>
    public InferenceEngine(RestormerNet model, Precision precision = Precision.Fp32, int? threads = null, int? bandPixels = null, EngineIsa? isa = null)
    {
        var chosen = isa ?? EngineIsas.Best
            ?? throw new NotSupportedException("The fast inference engine needs a CPU with AVX-512 (F, BW, VL) or AVX2 with FMA; use the module's forward instead.");
        if (!chosen.IsSupported())
            throw new NotSupportedException($"This CPU (or runtime setting) does not run the engine's {chosen.Name()} kernels.");
        Config = model.Config;
        Precision = precision.Resolve();
        // libtorch's bfloat16 matrix products need AVX-512 (oneDNN); on an AVX2 CPU they fall back to a generic loop many times slower than fp32.
        if (Precision == Precision.Bf16 && chosen == EngineIsa.Avx2 && !CpuFeatures.HasNativeBFloat16)
            throw new NotSupportedException("bf16 needs a CPU with AVX-512 (native bfloat16 is best): on this AVX2 CPU bfloat16 matrix products are many times slower than fp32; use --precision fp32 (auto picks it here).");
        settings = new EngineSettings(chosen, Precision == Precision.Bf16, threads ?? get_num_threads(), bandPixels ?? EngineSettings.DefaultBandPixels);
        workers = new StripeWorkers(settings.Workers);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var state = model.state_dict();
        var ct = settings.ComputeType;
        var (blocks, heads, norm) = (Config.NumBlocks, Config.Heads, Config.LayerNormType);
        PackedTransformerBlock[] Level(string name, int count, int numHeads) =>
            Enumerable.Range(0, count).Select(i => new PackedTransformerBlock(state, $"{name}.{i}", numHeads, norm, settings)).ToArray();
        levels =
        [
            Level("encoder_level1", blocks[0], heads[0]), Level("encoder_level2", blocks[1], heads[1]),
            Level("encoder_level3", blocks[2], heads[2]), Level("latent", blocks[3], heads[3]),
            Level("decoder_level3", blocks[2], heads[2]), Level("decoder_level2", blocks[1], heads[1]),
            Level("decoder_level1", blocks[0], heads[0]), Level("refinement", Config.NumRefinementBlocks, heads[0]),
        ];
        Tensor Keep(Tensor t) => t.DetachFromDisposeScope();
        patchEmbed = Keep(state["patch_embed.proj.weight"].to(ScalarType.Float32).clone());
        output = Keep(state["output.weight"].to(ScalarType.Float32).clone());
        outputBias = PackedDconvProjection.Optional(state, "output.bias")?.DetachFromDisposeScope();
        down = new[] { "down1_2", "down2_3", "down3_4" }.Select(n => Keep(state[$"{n}.body.0.weight"].to(ct).clone())).ToArray();
        up = new[] { "up4_3", "up3_2", "up2_1" }.Select(n => Keep(state[$"{n}.body.0.weight"].to(ct).clone())).ToArray();
        (Tensor, Tensor?) Pointwise(string name) =>
            (Keep(state[name + ".weight"].flatten(1).t().contiguous().to(ct)), PackedDconvProjection.Optional(state, name + ".bias")?.to(ct).DetachFromDisposeScope());
        reduce3 = Pointwise("reduce_chan_level3");
        reduce2 = Pointwise("reduce_chan_level2");
        if (Config.DualPixelTask) skip = Pointwise("skip_conv");
    }

    /// <summary>
    /// The network's output for a float32 N×C×H×W batch whose sides are multiples of 8, as the module's forward
    /// (without clamping). Returns a new float32 N×C×H×W tensor.
    /// </summary>
    public Tensor Forward(Tensor input) => Forward(input, WorkProgress.None);

    /// <summary>
    /// <see cref="Forward(Tensor)"/> that adds every band and convolution to <paramref name="progress"/> as it is done
    /// and, once cancellation is asked for, stops after the band in hand with an <see cref="OperationCanceledException"/>.
    /// </summary>
    internal Tensor Forward(Tensor input, WorkProgress progress)
    {
        if (input.dim() != 4 || input.shape[1] != Config.InpChannels)
            throw new ArgumentException($"Expected an N×{Config.InpChannels}×H×W batch, got [{string.Join(", ", input.shape)}].");
        if (input.shape[2] % 8 != 0 || input.shape[3] % 8 != 0)
            throw new ArgumentException($"Height and width must be multiples of 8, got {input.shape[2]}×{input.shape[3]}: pad the image first.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var images = Enumerable.Range(0, (int)input.shape[0]).Select(i => ForwardImage(input[i], progress)).ToArray();
        return stack(images).MoveToOuterDisposeScope();
    }

    /// <summary>One C×H×W image → C×H×W output.</summary>
    private Tensor ForwardImage(Tensor chw, WorkProgress progress)
    {
        using var scope = NewDisposeScope();
        var image = chw.to(ScalarType.Float32).permute(1, 2, 0).contiguous();
        var level1 = ChannelsLast.Conv3x3(image, patchEmbed);
        Count(patchEmbed, image, progress);
        var embedded = skip is null ? null : level1.clone();
        RunLevel(level1, 0, progress);
        var level2 = Down(level1, 0, progress);
        RunLevel(level2, 1, progress);
        var level3 = Down(level2, 1, progress);
        RunLevel(level3, 2, progress);
        var latent = Down(level3, 2, progress);
        RunLevel(latent, 3, progress);

        var decoder3 = UpAndMerge(latent, 0, level3, reduce3, progress);
        RunLevel(decoder3, 4, progress);
        var decoder2 = UpAndMerge(decoder3, 1, level2, reduce2, progress);
        RunLevel(decoder2, 5, progress);
        var decoder1 = UpAndMerge(decoder2, 2, level1, reduce: null, progress);
        RunLevel(decoder1, 6, progress);
        RunLevel(decoder1, 7, progress);

        Tensor restored;
        if (skip is { } s)
        {
            decoder1.add_(ChannelsLast.Pointwise(embedded!.to(settings.ComputeType), s.WeightT, s.Bias));
            Count(s.WeightT, decoder1, progress);
            restored = ChannelsLast.Conv3x3(decoder1, output, outputBias);
        }
        else
        {
            restored = ChannelsLast.Conv3x3(decoder1, output, outputBias).add_(image);
        }
        Count(output, decoder1, progress);
        return restored.permute(2, 0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Runs a level's blocks in place; between blocks, stops if cancellation was asked for (bands stop at once).</summary>
    private void RunLevel(Tensor x, int level, WorkProgress progress)
    {
        var blocks = levels[level];
        if (blocks.Length == 0) return;
        var macsPerPixel = ModelCost.BlockPerPixel(Config, blocks[0].Channels, blocks[0].Heads);
        using var workspace = new LevelWorkspace((int)x.shape[0], (int)x.shape[1], blocks[0], settings, workers, macsPerPixel, progress);
        foreach (var block in blocks)
        {
            block.Run(x, workspace);
            progress.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Adds a convolution's MACs (its weight's size per pixel) over the channels-last <paramref name="at"/>'s pixels.</summary>
    private static void Count(Tensor weight, Tensor at, WorkProgress progress) =>
        progress.Add((double)weight.numel() * at.shape[0] * at.shape[1]);

    private Tensor Down(Tensor x, int index, WorkProgress progress)
    {
        using var input = x.to(settings.ComputeType);
        using var convolved = ChannelsLast.Conv3x3(input, down[index]);
        Count(down[index], input, progress);
        using var unshuffled = ChannelsLast.PixelUnshuffle(convolved);
        return unshuffled.to(ScalarType.Float32);
    }

    /// <summary>
    /// Upsamples <paramref name="x"/> and concatenates the encoder skip into one new buffer (the reference's
    /// <c>cat([up(x), skip], 1)</c>), reducing channels where the level has a 1×1 conv; frees both inputs as soon as
    /// they are used, so decoder levels hold few full-size tensors at once.
    /// </summary>
    private Tensor UpAndMerge(Tensor x, int index, Tensor skipInput, (Tensor WeightT, Tensor? Bias)? reduce, WorkProgress progress)
    {
        Tensor convolved;
        using (x)
        using (var input = x.to(settings.ComputeType))
        {
            convolved = ChannelsLast.Conv3x3(input, up[index]);
            Count(up[index], input, progress);
        }
        long height = skipInput.shape[0], width = skipInput.shape[1], upChannels = convolved.shape[2] / 4, skipChannels = skipInput.shape[2];
        // Reduced levels only feed a matrix product, so they are merged in the compute dtype; level 1 becomes the residual stream.
        var merged = empty(height, width, upChannels + skipChannels, dtype: reduce is null ? ScalarType.Float32 : settings.ComputeType);
        using (convolved)
        using (var left = merged.narrow(2, 0, upChannels))
            ChannelsLast.PixelShuffleInto(convolved, left);
        using (skipInput)
        using (var right = merged.narrow(2, upChannels, skipChannels))
            right.copy_(skipInput);
        if (reduce is not { } r) return merged;
        using (merged)
        using (var reduced = ChannelsLast.Pointwise(merged, r.WeightT, r.Bias))
        {
            Count(r.WeightT, merged, progress);
            return reduced.to(ScalarType.Float32);
        }
    }

    public void Dispose()
    {
        workers.Dispose();
        foreach (var block in levels.SelectMany(l => l)) block.Dispose();
        patchEmbed.Dispose();
        output.Dispose();
        outputBias?.Dispose();
        foreach (var t in down.Concat(up)) t.Dispose();
        foreach (var (w, b) in new[] { reduce3, reduce2 }.Concat(skip is { } s ? [s] : []))
        {
            w.Dispose();
            b?.Dispose();
        }
    }
}

using Restormer.Kernels;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// One Transformer block packed for <see cref="InferenceEngine"/>, run in place on a channels-last float32 level
/// <c>x</c> ([height, width, channels]) stripe by stripe and band by band. MDTA uses that its attention map is global
/// but tiny: bands accumulate the per-head Gram matrix q·kᵀ and the squared norms of q and k (F.normalize folded in:
/// q̂·k̂ᵀ = q·kᵀ / (max(‖q‖, 1e-12)·max(‖k‖, 1e-12)ᵀ)), then project_out is folded into the attention,
/// x += v · (W_o · blockdiag(A))ᵀ + b, one matrix product instead of two. GDFN is local, so each band is finished
/// (depthwise conv, GELU gate, project_out added into x) before the next one.
/// </summary>
internal sealed class PackedTransformerBlock : IDisposable
{
    private readonly Tensor temperature;     // [heads] float32
    private readonly Tensor projectOut;      // [C, C] float32
    private readonly Tensor? projectOutBias; // [C] float32
    private readonly Tensor feedForwardOutT; // [padded hidden, C] compute dtype
    private readonly Tensor? feedForwardOutBias;
    private readonly bool subtractMean;
    private readonly EngineSettings settings;

    public int Channels { get; }
    public int Heads { get; }
    public PackedDconvProjection AttentionProjection { get; }
    public PackedDconvProjection FeedForwardProjection { get; }

    public PackedTransformerBlock(IReadOnlyDictionary<string, Tensor> state, string prefix, int heads, LayerNormType normType, EngineSettings settings)
    {
        Heads = heads;
        this.settings = settings;
        subtractMean = normType == LayerNormType.WithBias;
        AttentionProjection = new PackedDconvProjection(state, prefix + ".norm1", prefix + ".attn.qkv", prefix + ".attn.qkv_dwconv", 3, settings.ComputeType);
        FeedForwardProjection = new PackedDconvProjection(state, prefix + ".norm2", prefix + ".ffn.project_in", prefix + ".ffn.dwconv", 2, settings.ComputeType);
        Channels = AttentionProjection.InChannels;
        using var scope = NewDisposeScope();
        temperature = state[prefix + ".attn.temperature"].to(ScalarType.Float32).flatten().clone().DetachFromDisposeScope();
        projectOut = state[prefix + ".attn.project_out.weight"].to(ScalarType.Float32).flatten(1).clone().DetachFromDisposeScope();
        projectOutBias = PackedDconvProjection.Optional(state, prefix + ".attn.project_out.bias")?.DetachFromDisposeScope();
        var ffnOut = state[prefix + ".ffn.project_out.weight"].to(ScalarType.Float32).flatten(1); // [C, hidden]
        var padded = zeros(FeedForwardProjection.PaddedGroupChannels, Channels);
        padded.narrow(0, 0, ffnOut.shape[1]).copy_(ffnOut.t());
        feedForwardOutT = padded.to(settings.ComputeType).DetachFromDisposeScope();
        feedForwardOutBias = PackedDconvProjection.Optional(state, prefix + ".ffn.project_out.bias")?.DetachFromDisposeScope();
    }

    /// <summary>x ← x + MDTA(LN(x)), then x ← x + GDFN(LN(x)).</summary>
    public void Run(Tensor x, LevelWorkspace level)
    {
        level.ForEachStripe(stripe => AttentionStatistics(x, level.Values, stripe, level.MacsPerPixel.Statistics));
        using (var scope = NewDisposeScope())
        {
            var mixT = ProjectedAttention(level.Stripes);
            level.ForEachStripe(stripe => ApplyAttention(x, level.Values, mixT, stripe, level.MacsPerPixel.Mixing));
        }
        // Every stripe projects its neighbours' boundary rows before any stripe adds the GDFN output to its rows.
        level.ForEachStripe(stripe =>
        {
            stripe.Ring.Reset(FeedForwardProjection.OutChannels);
            stripe.Ring.ProjectHalo(x, FeedForwardProjection, subtractMean);
        });
        level.ForEachStripe(stripe => FeedForward(x, stripe, level.MacsPerPixel.FeedForward));
    }

    /// <summary>MDTA's first pass over a stripe: v into <paramref name="values"/>, the stripe's Gram matrices and squared norms.</summary>
    private unsafe void AttentionStatistics(Tensor x, Tensor values, StripeWorkspace stripe, double macsPerPixel)
    {
        using var scope = NewDisposeScope();
        int channels = Channels, headChannels = channels / Heads, padded = AttentionProjection.PaddedGroupChannels;
        stripe.Gram.zero_();
        Array.Clear(stripe.Squares);
        stripe.Ring.Reset(AttentionProjection.OutChannels);
        stripe.Ring.ProjectHalo(x, AttentionProjection, subtractMean);
        foreach (var (first, rows) in stripe.Bands(macsPerPixel))
        {
            var band = stripe.Ring.Prepare(x, first, rows, AttentionProjection, subtractMean);
            long pixels = (long)rows * stripe.Width;
            var qk = stripe.Scratch(pixels, 2 * padded);
            var bandValues = values.narrow(0, first * (long)stripe.Width, pixels);
            settings.Kernels.Split(band, TensorMemory.Address(qk), 2 * padded, TensorMemory.Address(bandValues), stripe.Squares);
            for (int h = 0; h < Heads; h++)
            {
                var q = qk.narrow(1, h * headChannels, headChannels);
                var k = qk.narrow(1, padded + h * headChannels, headChannels);
                stripe.Gram[h].add_(q.t().mm(k));
            }
        }
    }

    /// <summary>
    /// (W_o · blockdiag(A))ᵀ, padded to the value channels, from the stripes' Gram matrices and squared norms:
    /// A = softmax(temperature · q̂·k̂ᵀ) per head, as the reference computes it.
    /// </summary>
    private Tensor ProjectedAttention(IReadOnlyList<StripeWorkspace> stripes)
    {
        int channels = Channels, headChannels = channels / Heads, padded = AttentionProjection.PaddedGroupChannels;
        var gram = stripes[0].Gram.clone();
        var squares = (float[])stripes[0].Squares.Clone();
        foreach (var stripe in stripes.Skip(1))
        {
            gram.add_(stripe.Gram);
            for (int i = 0; i < squares.Length; i++) squares[i] += stripe.Squares[i];
        }
        var norms = tensor(squares).sqrt_().clamp_min_(1e-12);
        var queryNorms = norms.narrow(0, 0, channels).view(Heads, headChannels, 1);
        var keyNorms = norms.narrow(0, padded, channels).view(Heads, 1, headChannels);
        var attention = (gram / (queryNorms * keyNorms) * temperature.view(Heads, 1, 1)).softmax(-1);
        // M[o, (h, j)] = Σ_i W_o[o, (h, i)] · A_h[i, j]
        var mix = projectOut.view(channels, Heads, headChannels).permute(1, 0, 2).bmm(attention).permute(1, 0, 2).reshape(channels, channels);
        var mixT = zeros(padded, channels);
        mixT.narrow(0, 0, channels).copy_(mix.t());
        return mixT.to(settings.ComputeType);
    }

    /// <summary>MDTA's second pass over a stripe: x += v · mixT (+ project_out bias).</summary>
    private void ApplyAttention(Tensor x, Tensor values, Tensor mixT, StripeWorkspace stripe, double macsPerPixel)
    {
        using var scope = NewDisposeScope();
        foreach (var (first, rows) in stripe.Bands(macsPerPixel))
        {
            long pixels = (long)rows * stripe.Width;
            var target = x.view(-1, Channels).narrow(0, first * (long)stripe.Width, pixels);
            AddProduct(target, values.narrow(0, first * (long)stripe.Width, pixels), mixT, projectOutBias);
        }
    }

    /// <summary>GDFN over a stripe, band by band, after <see cref="ProjectionRing.ProjectHalo"/>.</summary>
    private unsafe void FeedForward(Tensor x, StripeWorkspace stripe, double macsPerPixel)
    {
        using var scope = NewDisposeScope();
        int hidden = FeedForwardProjection.PaddedGroupChannels;
        foreach (var (first, rows) in stripe.Bands(macsPerPixel))
        {
            var band = stripe.Ring.Prepare(x, first, rows, FeedForwardProjection, subtractMean);
            long pixels = (long)rows * stripe.Width;
            var gated = stripe.Scratch(pixels, hidden);
            settings.Kernels.Gated(band, TensorMemory.Address(gated));
            var target = x.view(-1, Channels).narrow(0, first * (long)stripe.Width, pixels);
            AddProduct(target, gated, feedForwardOutT, feedForwardOutBias);
        }
    }

    /// <summary>target (float32) += a · b (+ bias), in place.</summary>
    private void AddProduct(Tensor target, Tensor a, Tensor b, Tensor? bias)
    {
        if (settings.BFloat16)
        {
            using var product = a.mm(b);
            target.add_(product);
        }
        else
        {
            target.addmm_(a, b);
        }
        if (bias is not null) target.add_(bias);
    }

    public void Dispose()
    {
        AttentionProjection.Dispose();
        FeedForwardProjection.Dispose();
        temperature.Dispose();
        projectOut.Dispose();
        projectOutBias?.Dispose();
        feedForwardOutT.Dispose();
        feedForwardOutBias?.Dispose();
    }
}

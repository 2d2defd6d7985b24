using static TorchSharp.torch;

namespace Restormer.Engine;

/// <summary>
/// The "1×1 conv then 3×3 depthwise conv" that opens MDTA and GDFN, packed for <see cref="ProjectionRing"/>: the
/// LayerNorm's affine part folded into the 1×1 weights (W·diag(γ), bias W·β + b), the weights transposed for a
/// row-major matrix product, and the output channels laid out in groups padded to multiples of 16 lanes
/// (q | k | v, or x₁ | x₂), padding channels having zero weights so they stay exactly zero.
/// </summary>
internal sealed class PackedDconvProjection : IDisposable
{
    /// <summary>[in channels, out channels] in the compute dtype.</summary>
    public Tensor WeightT { get; }
    /// <summary>[out] float32: the folded 1×1 bias, added when the depthwise conv reads its input.</summary>
    public Tensor Bias { get; }
    /// <summary>[9, out] float32 depthwise taps.</summary>
    public Tensor Taps { get; }
    /// <summary>[out] float32 depthwise bias.</summary>
    public Tensor DepthwiseBias { get; }
    public int InChannels { get; }
    public int OutChannels => (int)Bias.shape[0];
    /// <summary>Channels per group before padding, and after.</summary>
    public int GroupChannels { get; }
    public int PaddedGroupChannels { get; }

    /// <summary>
    /// Packs <paramref name="prefix"/>.weight/bias (1×1) and <paramref name="depthwisePrefix"/>.weight/bias (3×3
    /// depthwise) of a reference state dict, preceded by the LayerNorm <paramref name="normPrefix"/>.body.weight/bias.
    /// </summary>
    public PackedDconvProjection(IReadOnlyDictionary<string, Tensor> state, string normPrefix, string prefix, string depthwisePrefix, int groups, ScalarType computeType)
    {
        using var scope = NewDisposeScope();
        var weight = state[prefix + ".weight"].to(ScalarType.Float32).flatten(1); // [out, in]
        int outChannels = (int)weight.shape[0];
        InChannels = (int)weight.shape[1];
        GroupChannels = outChannels / groups;
        PaddedGroupChannels = (GroupChannels + 15) / 16 * 16;

        var gamma = state[normPrefix + ".body.weight"].to(ScalarType.Float32);
        var bias = Optional(state, prefix + ".bias") ?? zeros(outChannels);
        if (Optional(state, normPrefix + ".body.bias") is { } beta)
            bias = bias + weight.mv(beta);
        var folded = weight * gamma.unsqueeze(0);

        var depthwise = state[depthwisePrefix + ".weight"].to(ScalarType.Float32).reshape(outChannels, 9);
        var depthwiseBias = Optional(state, depthwisePrefix + ".bias") ?? zeros(outChannels);

        WeightT = Pad(folded, groups).t().contiguous().to(computeType).DetachFromDisposeScope();
        Bias = Pad(bias.unsqueeze(1), groups).squeeze(1).contiguous().DetachFromDisposeScope();
        Taps = Pad(depthwise, groups).t().contiguous().DetachFromDisposeScope();
        DepthwiseBias = Pad(depthwiseBias.unsqueeze(1), groups).squeeze(1).contiguous().DetachFromDisposeScope();
    }

    /// <summary>Spreads the rows (output channels) of each group over a padded group, zero-filling the rest.</summary>
    private Tensor Pad(Tensor rows, int groups)
    {
        if (PaddedGroupChannels == GroupChannels) return rows.contiguous();
        var padded = zeros(groups * PaddedGroupChannels, rows.shape[1]);
        for (int g = 0; g < groups; g++)
            padded.narrow(0, g * PaddedGroupChannels, GroupChannels).copy_(rows.narrow(0, g * GroupChannels, GroupChannels));
        return padded;
    }

    /// <summary>A float32 copy of an optional tensor (a bias of a <c>bias=True</c> model), or null.</summary>
    internal static Tensor? Optional(IReadOnlyDictionary<string, Tensor> state, string name) =>
        state.TryGetValue(name, out var t) ? t.to(ScalarType.Float32).clone() : null;

    public void Dispose()
    {
        WeightT.Dispose();
        Bias.Dispose();
        Taps.Dispose();
        DepthwiseBias.Dispose();
    }
}

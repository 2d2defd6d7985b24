using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>One Restormer Transformer block: <c>x + MDTA(LN(x))</c>, then <c>x + GDFN(LN(x))</c>.</summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly MultiDconvHeadTransposedAttention attn;
    private readonly LayerNorm norm2;
    private readonly GatedDconvFeedForward ffn;

    public TransformerBlock(int channels, int numHeads, RestormerConfig config) : base(nameof(TransformerBlock))
    {
        norm1 = new LayerNorm(channels, config.LayerNormType);
        attn = new MultiDconvHeadTransposedAttention(channels, numHeads, config.Bias);
        norm2 = new LayerNorm(channels, config.LayerNormType);
        ffn = new GatedDconvFeedForward(channels, config.HiddenChannels(channels), config.Bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x + attn.call(norm1.call(x));
        return (y + ffn.call(norm2.call(y))).MoveToOuterDisposeScope();
    }
}

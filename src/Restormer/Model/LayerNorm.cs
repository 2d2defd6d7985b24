using TorchSharp;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>
/// Per-pixel LayerNorm over channels of an NCHW tensor (the reference's <c>LayerNorm</c>, which moves channels last,
/// normalises and moves them back; we normalise over dim 1 directly, avoiding both transposes). Biased variance,
/// eps 1e-5. <c>BiasFree</c> divides x itself (not x − mean) by the standard deviation, exactly as the reference.
/// </summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>Holds <c>weight</c> (and <c>bias</c> for WithBias) so state-dict names read <c>norm1.body.weight</c>.</summary>
    private readonly LayerNormParameters body;
    private readonly bool withBias;

    public LayerNorm(int channels, LayerNormType type) : base(nameof(LayerNorm))
    {
        withBias = type == LayerNormType.WithBias;
        body = new LayerNormParameters(channels, withBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (variance, mean) = var_mean(x, 1, unbiased: false, keepdim: true);
        var centred = withBias ? x - mean : x;
        var normalised = centred * (variance + 1e-5).rsqrt();
        var weight = body.weight.view(-1, 1, 1);
        var y = withBias ? torch.addcmul(body.bias!.view(-1, 1, 1), normalised, weight, 1) : normalised * weight;
        return y.MoveToOuterDisposeScope();
    }

    private sealed class LayerNormParameters : nn.Module
    {
        public readonly TorchSharp.Modules.Parameter weight;
        public readonly TorchSharp.Modules.Parameter? bias;

        public LayerNormParameters(int channels, bool withBias) : base("body")
        {
            weight = nn.Parameter(ones(channels));
            if (withBias) bias = nn.Parameter(zeros(channels));
            RegisterComponents();
        }
    }
}

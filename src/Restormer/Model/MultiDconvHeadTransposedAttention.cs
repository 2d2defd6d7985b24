using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>
/// MDTA, Multi-Dconv Head Transposed Attention (paper §3.1): 1×1 conv to q,k,v, 3×3 depthwise conv, then attention
/// across channels instead of pixels — a (C/heads × C/heads) map per head from L2-normalised q and k, scaled by a
/// learned per-head <c>temperature</c> — so the cost grows linearly with the number of pixels.
/// </summary>
public sealed class MultiDconvHeadTransposedAttention : nn.Module<Tensor, Tensor>
{
    private readonly Parameter temperature;
    private readonly Conv2d qkv;
    private readonly Conv2d qkv_dwconv;
    private readonly Conv2d project_out;
    private readonly int numHeads;

    public MultiDconvHeadTransposedAttention(int channels, int numHeads, bool bias) : base("Attention")
    {
        this.numHeads = numHeads;
        temperature = nn.Parameter(ones(numHeads, 1, 1));
        qkv = nn.Conv2d(channels, channels * 3, 1, bias: bias);
        qkv_dwconv = nn.Conv2d(channels * 3, channels * 3, 3, padding: 1, groups: channels * 3, bias: bias);
        project_out = nn.Conv2d(channels, channels, 1, bias: bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var qkvMaps = qkv_dwconv.call(qkv.call(x)).chunk(3, dim: 1);
        // 'b (head c) h w -> b head c (h w)'
        var q = nn.functional.normalize(qkvMaps[0].reshape(b, numHeads, -1, h * w), dim: -1);
        var k = nn.functional.normalize(qkvMaps[1].reshape(b, numHeads, -1, h * w), dim: -1);
        var v = qkvMaps[2].reshape(b, numHeads, -1, h * w);
        var attention = (q.matmul(k.transpose(-2, -1)) * temperature).softmax(-1);
        var output = attention.matmul(v).reshape(b, c, h, w);
        return project_out.call(output).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>
/// GDFN, Gated-Dconv Feed-forward Network (paper §3.2): 1×1 conv to two hidden streams, 3×3 depthwise conv, and a
/// GELU gate (GELU(x1) ⊙ x2) that controls which information flows on, then a 1×1 conv back to the block width.
/// </summary>
public sealed class GatedDconvFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d project_in;
    private readonly Conv2d dwconv;
    private readonly Conv2d project_out;

    public GatedDconvFeedForward(int channels, int hiddenChannels, bool bias) : base("FeedForward")
    {
        project_in = nn.Conv2d(channels, hiddenChannels * 2, 1, bias: bias);
        dwconv = nn.Conv2d(hiddenChannels * 2, hiddenChannels * 2, 3, padding: 1, groups: hiddenChannels * 2, bias: bias);
        project_out = nn.Conv2d(hiddenChannels, channels, 1, bias: bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var streams = dwconv.call(project_in.call(x)).chunk(2, dim: 1);
        var gated = nn.functional.gelu(streams[0]) * streams[1];
        return project_out.call(gated).MoveToOuterDisposeScope();
    }
}

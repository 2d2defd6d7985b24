using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>Overlapped image-patch embedding: a 3×3 conv (no bias) from image channels to the model width.</summary>
public sealed class OverlapPatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public OverlapPatchEmbed(int inChannels, int dim) : base(nameof(OverlapPatchEmbed))
    {
        proj = nn.Conv2d(inChannels, dim, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => proj.call(x);
}

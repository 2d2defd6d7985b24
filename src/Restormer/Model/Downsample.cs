using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>Halves resolution and doubles channels: 3×3 conv to C/2 (no bias), then pixel-unshuffle by 2.</summary>
public sealed class Downsample : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public Downsample(int channels) : base(nameof(Downsample))
    {
        body = nn.Sequential(("0", nn.Conv2d(channels, channels / 2, 3, padding: 1, bias: false)), ("1", nn.PixelUnshuffle(2)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x);
}

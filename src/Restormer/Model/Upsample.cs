using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Model;

/// <summary>Doubles resolution and halves channels: 3×3 conv to 2C (no bias), then pixel-shuffle by 2.</summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public Upsample(int channels) : base(nameof(Upsample))
    {
        body = nn.Sequential(("0", nn.Conv2d(channels, channels * 2, 3, padding: 1, bias: false)), ("1", nn.PixelShuffle(2)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x);
}

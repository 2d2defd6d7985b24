using Restormer.Engine;
using static TorchSharp.torch;

namespace Restormer.Tests.Engine;

/// <summary>The engine's full 3×3 convolutions, whole and a band of rows at a time, against libtorch's NCHW convolution in float64.</summary>
public class ChannelsLastTests
{
    [Theory]
    [InlineData(37, 1)]   // one row per band: every band needs both neighbours
    [InlineData(37, 5)]   // a short last band
    [InlineData(37, 8)]
    [InlineData(37, 37)]  // whole
    public void BandsOfRowsGiveTheWholeImagesConvolution(int height, int bandRows)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(20221);
        var image = rand([height, 23, 6], generator: generator);
        var weight = randn([5, 6, 3, 3], generator: generator);
        var bias = randn([5], generator: generator);
        var reference = nn.functional.conv2d(image.permute(2, 0, 1).unsqueeze(0).to(float64), weight.to(float64), bias.to(float64), padding: [1, 1])
            .squeeze(0).permute(1, 2, 0);

        var banded = ChannelsLast.Conv3x3(image, weight, bias, bandRows);

        Assert.Equal(new long[] { height, 23, 5 }, banded.shape);
        double error = (banded.to(float64) - reference).abs().max().item<double>();
        Assert.True(error < 1e-5, $"{bandRows} rows per band: {error:E2} from the float64 convolution");
    }
}

using static TorchSharp.torch;
public class SmokeTests { [Fact] public void TorchLoads() => Assert.Equal(6f, ones(2, 3).sum().item<float>()); }

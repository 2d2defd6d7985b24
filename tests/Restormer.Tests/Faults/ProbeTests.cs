using Restormer.Inference;
using static TorchSharp.torch;
namespace Restormer.Tests.Faults;
public class ProbeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        using var dir = TestPaths.NewTempFolder();
        using var net = FaultFiles.TinyNet();
        foreach (var (name, p) in net.state_dict())
        {
            foreach (var variant in new Func<Tensor, Tensor>[] { t => t.flatten(), t => t.dim() > 1 ? t.transpose(0, 1).contiguous() : t.repeat(2), t => t.unsqueeze(0) })
            {
                var path = dir["w.pth"];
                FaultFiles.SaveTinyCheckpoint(path, name, variant);
                try { using var r = Restorer.Load(null, path); using var img = zeros(1, 3, 16, 16); using var o = r.Restore(img); output.WriteLine($"{name}: OK"); }
                catch (Exception e) when (e is Restormer.Checkpoints.CheckpointException) { }
                catch (Exception e) { output.WriteLine($"{name} {string.Join(",", p.shape)}: {e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
            }
        }
    }
}

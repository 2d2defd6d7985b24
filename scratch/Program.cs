using System.Text.Json;
using Restormer.Model;
using static TorchSharp.torch;
var dir = "/work/shared/fixtures/parity";
using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cases.json")));
foreach (var c in doc.RootElement.EnumerateObject())
{
    using var model = RestormerNet.FromCheckpoint(Path.Combine(dir, c.Name + ".pth"));
    model.eval();
    using var ng = no_grad();
    Tensor Read(string suffix, string key) {
        var b = File.ReadAllBytes(Path.Combine(dir, c.Name + suffix)); var f = new float[b.Length / 4]; Buffer.BlockCopy(b, 0, f, 0, b.Length);
        return tensor(f).reshape(c.Value.GetProperty(key).EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }
    var y = model.call(Read(".input.f32", "input_shape"));
    var err = (y - Read(".output.f32", "output_shape")).abs().max().item<float>();
    Console.WriteLine($"{c.Name,-22} max abs error {err:E2}");
}

using System.Diagnostics;
using Restormer.Model;
using TorchSharp;
using static TorchSharp.torch;
var cfg = new RestormerConfig { Dim = 24, NumBlocks = [1,2,2,3], NumRefinementBlocks = 1 };
using var model = new RestormerNet(cfg);
var opt = optim.AdamW(model.parameters(), 3e-4);
bool cl = args.Length > 0 && args[0] == "cl";
if (cl) { using var ng = no_grad(); foreach (var p in model.parameters()) if (p.dim() == 4) p.set_(p.contiguous(torch.MemoryFormat.ChannelsLast)); }
for (int i = 0; i < 6; i++) {
  var sw = Stopwatch.StartNew();
  using var scope = NewDisposeScope();
  var x = rand(8, 3, 64, 64); var y = rand(8, 3, 64, 64);
  if (cl) { x = x.contiguous(torch.MemoryFormat.ChannelsLast); }
  var outp = model.call(x);
  var loss = (outp - y).abs().mean();
  var t1 = sw.Elapsed.TotalSeconds;
  opt.zero_grad(); loss.backward(); opt.step();
  Console.WriteLine($"{(cl?"CL":"NCHW")} it {i}: fwd {t1:F2}s total {sw.Elapsed.TotalSeconds:F2}s");
}

using System.Diagnostics;
using Restormer.Model;
using static TorchSharp.torch;
int h = int.Parse(args[0]), w = int.Parse(args[1]); int dim = args.Length > 2 ? int.Parse(args[2]) : 48;
set_num_threads(2);
var cfg = new RestormerConfig { Dim = dim };
using var model = new RestormerNet(cfg); model.eval();
using var ng = no_grad();
for (int i = 0; i < 2; i++) {
  var sw = Stopwatch.StartNew();
  using var x = rand(1, 3, h, w);
  using var y = model.call(x);
  Console.WriteLine($"{h}x{w} dim{dim}: {sw.Elapsed.TotalSeconds:F2}s peakRSS {Process.GetCurrentProcess().PeakWorkingSet64/1e9:F2}GB");
}

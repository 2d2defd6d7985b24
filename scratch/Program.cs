var sw = System.Diagnostics.Stopwatch.StartNew();
using var t = TorchSharp.torch.ones(3);
Console.WriteLine($"torch init {sw.Elapsed.TotalSeconds:F2}s");

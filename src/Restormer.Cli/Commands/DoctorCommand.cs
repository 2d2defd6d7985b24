using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Restormer.Checkpoints;
using Restormer.Downloads;
using Restormer.Engine;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.IO;
using Restormer.Model;
using Restormer.Platform;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>doctor</c>: what this machine is and whether it computes right, the report to run first on a new machine and to
/// paste into a bug report. Offline, a few seconds; exit code 0 when every check holds, 1 when one fails.
/// </summary>
public static class DoctorCommand
{
    /// <summary>The whole report; <c>--json</c> writes it as it is.</summary>
    internal sealed record Report(
        string Restormer, SortedDictionary<string, string> System, CpuReport Cpu, SortedDictionary<string, string?> Libraries,
        SortedDictionary<string, string> RestorePaths, SortedDictionary<string, string> Protections, ModelsReport Models,
        IReadOnlyList<SelfCheck> Checks)
    {
        public bool Healthy => Checks.All(c => c.Passed);
    }

    internal sealed record CpuReport(
        string Vendor, string Model, bool Virtualised, IReadOnlyList<string> Isa, string? EngineIsa, bool NativeBf16,
        int LogicalCores, int LibtorchThreads, IReadOnlyList<string> Caches, string CacheLeaf, IReadOnlyList<string> SummaryCaches,
        bool HidesCacheSizes, bool MisleadsOnednn);

    internal sealed record ModelsReport(string Folder, IReadOnlyList<ModelReport> Files);

    internal sealed record ModelReport(string File, long Bytes, string? Sha256, string Architecture);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write the report as one JSON document on standard output." };
        var command = new Command("doctor", "Check this machine: CPU, caches, library versions, which path restores at each precision, the protections in force, installed models, and self-checks that every runtime and a training step compute right (against float64). Exit code 0 when all checks hold, 1 when one fails.")
        {
            json,
        };
        command.SetAction(parse => Cli.Run(parse, cli =>
        {
            var report = Build();
            if (parse.GetValue(json)) cli.Out.WriteLine(JsonSerializer.Serialize(report, JsonStyle.Indented));
            else Print(cli, report);
            return report.Healthy ? 0 : 1;
        }));
        return command;
    }

    internal static Report Build()
    {
        var guard = LibTorchGuard.Status; // first, so that every check below runs as restoring and training would
        var cpu = CpuDescription.Current;
        List<SelfCheck> checks =
        [
            new("libtorch: convolution probe", guard.Correct,
                $"{(guard.After is { } after ? $"with oneDNN off: {after}; with it on: {guard.Before}" : guard.Before.ToString())} (relative, allowed {ConvolutionProbe.Tolerance:0e+00}; {guard.Took.TotalMilliseconds:F0} ms at start-up)"),
            .. SelfChecks.Runtimes(),
            SelfChecks.TrainingGradients(),
        ];
        return new Report(
            RestormerApp.Version,
            new()
            {
                ["os"] = RuntimeInformation.OSDescription,
                ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
            },
            new CpuReport(
                cpu?.Vendor ?? "unknown", cpu?.Model ?? RuntimeInformation.ProcessArchitecture.ToString(), cpu?.Virtualised ?? false,
                cpu?.Isa ?? [], EngineIsas.Best?.Name(), CpuFeatures.HasNativeBFloat16, Environment.ProcessorCount, TorchSharp.torch.get_num_threads(),
                [.. (cpu?.Caches ?? []).Select(c => c.ToString())], cpu?.CacheLeaf ?? "", [.. (cpu?.SummaryCaches ?? []).Select(c => c.ToString())],
                cpu?.HidesCacheSizes ?? false, cpu?.MisleadsOneDnn ?? false),
            new()
            {
                ["torchsharp"] = InformationalVersion(typeof(TorchSharp.torch).Assembly),
                ["libtorch"] = LibTorchContext.TorchVersion,
                ["onednn"] = LibTorchContext.OneDnnVersion,
                ["opencv"] = OpenCvVersion(),
                ["libvips"] = $"{NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}",
                ["onnxruntime"] = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
            },
            RestorePaths(),
            new()
            {
                ["libtorch_onednn"] = guard.OneDnnOn
                    ? guard.Protection ?? "on: the convolution probe passed" + (cpu is { HidesCacheSizes: true } ? $" and {cpu.CacheFinding}, which oneDNN handles on this vendor" : "")
                    : $"off: {guard.Protection}",
                ["allocator"] = Environment.GetEnvironmentVariable("RESTORMER_ALLOCATOR") is { Length: > 0 } allocator
                    ? $"{allocator} (preloaded by the launcher)" : "the system's malloc (run through ./restormer to preload tcmalloc, about 4x faster inference)",
                ["torchsharp_scalars"] = "libtorch arithmetic runs with the garbage collector paused (Interop/GcPause), so TorchSharp's temporary scalars stay alive",
            },
            Models(ModelStore.Default),
            checks);
    }

    /// <summary>OpenCV's version; null where its native library is not installed (Windows and macOS: only training needs it).</summary>
    private static string? OpenCvVersion() =>
        OpenCvNative.Available ? OpenCvSharp.Cv2.GetVersionString() : null;

    /// <summary>What <c>restore</c> runs at each <c>--precision</c> with the default runtime, and why.</summary>
    private static SortedDictionary<string, string> RestorePaths()
    {
        var paths = new SortedDictionary<string, string>();
        foreach (var precision in new[] { Precision.Fp32, Precision.Bf16, Precision.Auto })
        {
            var resolved = precision.Resolve();
            paths[precision.Name()] = EngineIsas.Best is not { } isa
                ? resolved == Precision.Bf16 ? "refused: bf16 runs on the engine only, and this CPU has neither AVX-512 nor AVX2 + FMA" : "libtorch module, fp32 (no AVX-512 or AVX2 + FMA for the engine)"
                : $"{isa.Name()} engine, {resolved.Name()}" + (precision, resolved) switch
                {
                    (_, Precision.Bf16) when CpuFeatures.HasNativeBFloat16 => " (the CPU computes bf16 natively)",
                    (Precision.Auto, _) => " (no native bf16 on this CPU, so fp32)",
                    (Precision.Bf16, _) => " (emulated: no native bf16 here, slower than fp32)",
                    _ => $" (the CPU runs {isa.Name()})",
                };
        }
        return paths;
    }

    private static ModelsReport Models(ModelStore store)
    {
        var files = new List<ModelReport>();
        if (Directory.Exists(store.Directory))
            foreach (var path in Directory.EnumerateFiles(store.Directory).Where(p => p.EndsWith(".pth") || p.EndsWith(".safetensors")).Order())
            {
                string architecture, digest;
                try
                {
                    digest = WeightsDigest.Compute(path);
                    var c = RestormerNet.ReadArchitecture(path);
                    architecture = $"dim {c.Dim}, blocks [{string.Join(",", c.NumBlocks)}], heads [{string.Join(",", c.Heads)}], {c.InpChannels} -> {c.OutChannels} channels, {c.LayerNormType} LayerNorm";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
                {
                    files.Add(new ModelReport(Path.GetFileName(path), new FileInfo(path).Length, null, $"unreadable: {e.Message}"));
                    continue;
                }
                files.Add(new ModelReport(Path.GetFileName(path), new FileInfo(path).Length, digest, architecture));
            }
        return new ModelsReport(store.Directory, files);
    }

    private static void Print(Cli cli, Report report)
    {
        var cpu = report.Cpu;
        cli.Info($"Restormer for .NET {report.Restormer}: doctor");
        cli.Info("System");
        foreach (var (key, value) in report.System) cli.Info($"  {key,-14} {value}");
        cli.Info("CPU");
        cli.Info($"  {"model",-14} {cpu.Model} ({cpu.Vendor}{(cpu.Virtualised ? ", virtual machine" : "")})");
        cli.Info($"  {"isa",-14} {string.Join(" ", cpu.Isa)}; engine: {cpu.EngineIsa ?? "none"}; native bf16: {(cpu.NativeBf16 ? "yes" : "no")}");
        cli.Info($"  {"cores",-14} {cpu.LogicalCores} logical; libtorch threads {cpu.LibtorchThreads}");
        cli.Info($"  {"caches",-14} {(cpu.Caches.Count == 0 ? $"none reported (CPUID leaf {cpu.CacheLeaf} reads zero)" : string.Join(", ", cpu.Caches))}" +
                 $"; summary leaves: {(cpu.SummaryCaches.Count == 0 ? "none" : string.Join(", ", cpu.SummaryCaches))}");
        cli.Info("Libraries");
        cli.Info($"  {string.Join(", ", report.Libraries.Select(l => $"{l.Key} {l.Value ?? (l.Key == "opencv" ? "not installed" : "unknown")}"))}");
        cli.Info("Restore paths (--precision, default runtime)");
        foreach (var (key, value) in report.RestorePaths) cli.Info($"  {key,-14} {value}");
        cli.Info("Protections");
        foreach (var (key, value) in report.Protections) cli.Info($"  {key,-18} {value}");
        cli.Info($"Models in {report.Models.Folder}");
        if (report.Models.Files.Count == 0) cli.Info("  none");
        foreach (var model in report.Models.Files)
            cli.Info($"  {model.File,-44} {model.Bytes / 1e6,7:F1} MB  {model.Architecture}{(model.Sha256 is { } sha ? $"; sha256 {sha}" : "")}");
        cli.Info("Checks");
        foreach (var check in report.Checks) cli.Info($"  {(check.Passed ? "ok  " : "FAIL")} {check.Name}: {check.Detail}");
        int passed = report.Checks.Count(c => c.Passed);
        cli.Info(report.Healthy
            ? $"All {passed} checks hold."
            : $"{report.Checks.Count - passed} of {report.Checks.Count} checks FAILED: {string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name))}.");
    }

    private static string? InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
}

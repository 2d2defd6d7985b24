using System.Diagnostics;
using Restormer.Tests.Model;

namespace Restormer.Tests.Engine;

/// <summary>
/// The engine's parity tests on the AVX2 path, as an AVX2-only CPU runs them: a child test run with AVX-512 switched off
/// for .NET (so the engine picks its AVX2 kernels) and for libtorch's own kernels, oneDNN and MKL.
/// </summary>
public class Avx2PathTests
{
    /// <summary>What switches AVX-512 off for the runtime and for libtorch's libraries.</summary>
    public static readonly IReadOnlyDictionary<string, string> Avx2Only = new Dictionary<string, string>
    {
        ["DOTNET_EnableAVX512"] = "0",
        ["ATEN_CPU_CAPABILITY"] = "avx2",
        ["ONEDNN_MAX_CPU_ISA"] = "AVX2",
        ["MKL_ENABLE_INSTRUCTIONS"] = "AVX2",
    };

    [SkippableFact]
    public void EngineParityHoldsWithAvx512SwitchedOff()
    {
        Skip.IfNot(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported, "this CPU has no AVX2 with FMA");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "test", typeof(Avx2PathTests).Assembly.Location, "--nologo",
                "--filter", "FullyQualifiedName~InferenceEngineTests.Fp32MatchesReference|FullyQualifiedName~InferenceEngineTests.RunsTheWidestKernels|FullyQualifiedName~InferenceEngineTests.Bf16IsRefusedOnTheAvx2Path",
            },
        };
        foreach (var (name, value) in Avx2Only) start.Environment[name] = value;
        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"the AVX2 run failed:\n{output}\n{error.Result}");
        // Every parity case, the kernel choice and the bf16 refusal ran (none skipped) and passed.
        int expected = ParityCaseCount() + 2;
        Assert.Matches($@"Passed:\s+{expected}\b", output);
    }

    private static int ParityCaseCount() => ParityCase.Names.Count;
}

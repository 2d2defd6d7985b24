namespace Restormer.Platform;

/// <summary>
/// Makes sure libtorch computes right on this machine before its first convolution, once per process: the
/// <see cref="ConvolutionProbe"/> runs, and when it fails, or when the CPU's description is known to mislead oneDNN
/// (<see cref="CpuDescription.MisleadsOneDnn"/>), oneDNN is switched off in libtorch (its own kernels take over) and
/// the probe runs again. Everything in this library that computes with libtorch (building a
/// <see cref="Model.RestormerNet"/>, hence restoring, training, serving, the queue's workers, export) calls
/// <see cref="Ensure"/> first.
/// <code>
/// LibTorchGuard.Ensure();                       // throws when libtorch cannot be made right here
/// if (LibTorchGuard.Status.Protection is { } line) log(line);
/// </code>
/// </summary>
/// <remarks>
/// <para><c>RESTORMER_ONEDNN</c> overrides the decision: <c>off</c> always switches oneDNN off; <c>on</c> keeps it
/// whatever the probe says (to measure it; results may be wrong on an affected machine, and a warning says so).</para>
/// <para>Thread safety: the check runs once, on the first caller's thread; others wait for it.</para>
/// </remarks>
public static class LibTorchGuard
{
    private static readonly Lazy<LibTorchStatus> status = new(() => Check(CpuDescription.Current, Environment.GetEnvironmentVariable("RESTORMER_ONEDNN")));

    /// <summary>
    /// Called with <see cref="LibTorchStatus.Protection"/> (one line) when the check switched something off (or
    /// <c>RESTORMER_ONEDNN=on</c> kept a faulty oneDNN), on the thread that ran it. The CLI prints it; a host may log it.
    /// </summary>
    public static event Action<string>? Notice;

    /// <summary>The outcome of the check, running it on first use.</summary>
    public static LibTorchStatus Status => status.Value;

    /// <summary>True once the check has run in this process.</summary>
    public static bool Checked => status.IsValueCreated;

    /// <summary>Runs the check if it has not run yet; throws when libtorch gives wrong convolutions even with oneDNN off.</summary>
    /// <exception cref="NotSupportedException">libtorch cannot be made right here; the message says what to use instead.</exception>
    public static void Ensure()
    {
        var outcome = Status;
        if (!outcome.Correct && !outcome.Forced)
            throw new NotSupportedException(outcome.Protection);
    }

    private static LibTorchStatus Check(CpuDescription? cpu, string? setting)
    {
        var mode = Mode(setting);
        bool startedOn = LibTorchContext.OneDnnEnabled ?? true; // loads libtorch, so that Took measures the check alone
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var first = ConvolutionProbe.Run();
        var decision = Decide(cpu, first.Passed, mode);
        LibTorchStatus result;
        if (decision is null)
            result = new LibTorchStatus(OneDnnOn: startedOn, first, After: null, Forced: mode == "on", Protection: mode == "on" && !first.Passed
                ? $"RESTORMER_ONEDNN=on keeps oneDNN on in libtorch although its convolutions are wrong here ({first}): results of training and --runtime libtorch are not to be trusted."
                : null);
        else if (!LibTorchContext.TrySetOneDnn(false))
            result = new LibTorchStatus(OneDnnOn: true, first, After: null, Forced: false, first.Passed
                ? $"oneDNN should be switched off in libtorch ({decision}) but this libtorch offers no switch: training and --runtime libtorch may give wrong results ('restormer doctor' checks them); the engine and onnxruntime are not affected."
                : $"libtorch's convolutions are wrong here ({first}; {decision}) and this libtorch cannot switch oneDNN off: use --runtime engine or onnxruntime, and do not train on this machine.");
        else
        {
            var after = ConvolutionProbe.Run();
            result = new LibTorchStatus(OneDnnOn: false, first, after, Forced: false, after.Passed
                ? $"oneDNN switched off in libtorch: {decision}; libtorch's own convolution kernels, checked against float64, are used instead (slower)."
                : $"libtorch's convolutions are wrong here even with oneDNN off ({after}): use --runtime engine or onnxruntime, and do not train on this machine.");
        }
        result = result with { Took = watch.Elapsed };
        // A fault nothing could fix is thrown by Ensure instead, so that it is said once, as an error.
        if (result.Protection is { } line && (result.Correct || result.Forced)) Notice?.Invoke(line);
        return result;
    }

    /// <summary>
    /// Why oneDNN must go, or null to keep it: the probe failed, the CPU's description is known to mislead oneDNN, or
    /// the user said so. The reason names the probe's finding and, where it explains it, the CPUID finding.
    /// </summary>
    internal static string? Decide(CpuDescription? cpu, bool probePassed, string mode)
    {
        if (mode == "on") return null;
        if (mode == "off") return "RESTORMER_ONEDNN=off";
        string? explanation = cpu is { MisleadsOneDnn: true } ? $"{cpu.CacheFinding}, which makes oneDNN size its blocks for 1-byte caches" : null;
        if (!probePassed)
            return "its convolutions gave wrong results in a check against float64" + (explanation is null ? "" : $" ({explanation})");
        return explanation is null ? null : $"{explanation} (its convolutions may read uninitialised memory, though this run's check passed)";
    }

    private static string Mode(string? setting) => setting?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => "auto",
        "off" or "0" or "false" => "off",
        "on" or "1" or "true" => "on",
        _ => throw new ArgumentException($"RESTORMER_ONEDNN='{setting}' is not understood: use auto (the default), off or on."),
    };
}

/// <summary>What <see cref="LibTorchGuard"/> found and did.</summary>
/// <param name="OneDnnOn">Whether libtorch may use oneDNN for convolutions now.</param>
/// <param name="Before">The probe with libtorch as it started (oneDNN on).</param>
/// <param name="After">The probe after oneDNN was switched off, when it was.</param>
/// <param name="Forced"><c>RESTORMER_ONEDNN=on</c> kept oneDNN whatever the probe said.</param>
/// <param name="Protection">One line saying what was switched off and why, or what is wrong; null when nothing was needed.</param>
public sealed record LibTorchStatus(bool OneDnnOn, ProbeResult Before, ProbeResult? After, bool Forced, string? Protection)
{
    /// <summary>How long the check took (probes and switching), libtorch's own loading excluded.</summary>
    public TimeSpan Took { get; init; }

    /// <summary>libtorch's convolutions are right as it is now set up.</summary>
    public bool Correct => (After ?? Before).Passed;
}

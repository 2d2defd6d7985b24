using System.Runtime.InteropServices;

namespace Restormer.Cli;

/// <summary>
/// Ctrl-C (SIGINT), SIGTERM and, on Windows, closing the console for a command that can stop cleanly (its action takes a cancellation token: restore,
/// serve, test, models fetch). The first signal asks it to stop: <see cref="Token"/> fires, the network stops at its
/// next band (see <c>Restorer</c>), nothing half-written is kept, and the command exits with <see cref="ExitCode"/>
/// (130 for Ctrl-C, 143 for SIGTERM, as shells number them). A second signal gets the system's default action and
/// ends the process at once: the way out of anything that cannot be interrupted, at the price of the hidden temporary
/// file of an output being written at that moment. This replaces System.CommandLine's own handling, which let a
/// command run on for 2 s and then threw on a second signal.
/// </summary>
public static class Interruption
{
    private static readonly CancellationTokenSource requested = new();
    private static readonly Lock gate = new();
    private static PosixSignalRegistration[]? registrations;
    private static PosixSignal? first;

    /// <summary>Fires on the first SIGINT or SIGTERM once <see cref="Listen"/> was called.</summary>
    public static CancellationToken Token => requested.Token;

    /// <summary>True once a signal has asked the command to stop.</summary>
    public static bool Requested => first is not null;

    /// <summary>The exit code of a command that stopped because it was cancelled: 143 after SIGTERM, 129 after its console closed, otherwise 130.</summary>
    public static int ExitCode => first == PosixSignal.SIGTERM ? 143 : first == PosixSignal.SIGHUP ? 129 : 130;

    /// <summary>What stopped the command, for its last line.</summary>
    public static string Cause => first == PosixSignal.SIGTERM ? "SIGTERM" : first == PosixSignal.SIGHUP ? "closing the console" : "Ctrl-C";

    /// <summary>Starts handling the signals (once per process; later calls do nothing).</summary>
    public static void Listen()
    {
        lock (gate)
            // On Windows .NET reports closing the console window as SIGHUP; Windows ends the process soon after (about 5 s).
            registrations ??= OperatingSystem.IsWindows()
                ? [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGHUP)]
                : [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM)];
    }

    private static PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        lock (gate)
        {
            if (first is not null) return; // the second: not cancelled, so the default action ends the process
            first = context.Signal;
        }
        context.Cancel = true;
        requested.Cancel();
    });
}

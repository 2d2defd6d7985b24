using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Restormer.Training;
using Restormer.Training.Options;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>train</c>: trains (or fine-tunes) Restormer from an option file in the reference's layout, like basicsr's
/// <c>train.py -opt</c>. Ctrl-C or SIGTERM finishes the current iteration, saves a training state and exits with
/// 130; a second Ctrl-C quits at once.
/// </summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var opt = new Option<string>("--opt", "-opt") { Description = "Option file (YAML, the layout of the reference's Options/*.yml). Paths in it are relative to the current folder.", Required = true };
        var resume = new Option<string?>("--resume") { Description = "A training_states/<iter>.state to continue from. Without it a run continues from the newest state in experiments/<name>/, as the reference does." };
        var fresh = new Option<bool>("--fresh") { Description = "Start from scratch even if experiments/<name>/ holds states (the old folder is renamed <name>_archived_<time>)." };
        var experiments = new Option<string>("--experiments-dir") { Description = "Folder that receives <name>/.", DefaultValueFactory = _ => "experiments" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the network (default: one per core)." }.Within(1, OptionRange.MaxThreads, "four per core");
        var command = new Command("train", "Train or fine-tune a Restormer model from a basicsr option file.");
        foreach (var option in new Option[] { opt, resume, fresh, experiments, threads }) command.Options.Add(option);
        command.SetAction(parse => Cli.Run(parse, cli => Run(cli, parse.GetValue(opt)!, parse.GetValue(resume),
            parse.GetValue(fresh), parse.GetValue(experiments)!, parse.GetValue(threads))));
        return command;
    }

    private static int Run(Cli cli, string optionFile, string? resume, bool fresh, string experiments, int? threads)
    {
        if (threads is { } count)
            TorchSharp.torch.set_num_threads(count);
        var options = TrainingOptions.Load(optionFile);
        using var stop = new CancellationTokenSource();
        using var interrupt = new InterruptHandler(stop, cli.Out);
        var status = new StatusLine(cli);
        var settings = new TrainerSettings
        {
            ResumeState = resume,
            AutoResume = !fresh,
            ExperimentsRoot = experiments,
            Echo = status.Line,
            EchoWarning = status.Warning,
            OnIteration = p => status.Show(Describe(p)),
        };
        TrainingResult result;
        using (var trainer = new Trainer(options, settings))
            result = trainer.Run(stop.Token);
        status.Line(string.Create(CultureInfo.InvariantCulture,
            $"{(result.Interrupted || result.Failure is not null ? "Stopped" : "Finished")} at iteration {result.LastIteration}: {result.IterationsPerSecond:F3} it/s, " +
            $"waited {result.DataWait.TotalSeconds:F1} s for data, peak memory {result.PeakResidentBytes / (1024.0 * 1024):F0} MiB; outputs in {Path.GetFullPath(result.ExperimentFolder)}"));
        if (result.Failure is not null)
        {
            cli.Error(result.Failure);
            return 1;
        }
        return result.Interrupted ? 130 : 0;
    }

    /// <summary>The progress line: iteration, loss, learning rate, speed, ETA and the progressive stage.</summary>
    internal static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"iter {p.Iteration:N0}/{p.TotalIterations:N0}  loss {p.Loss:E3}  lr {p.LearningRate:E2}  {p.IterationsPerSecond:F2} it/s  " +
        $"ETA {(int)p.Eta.TotalHours}:{p.Eta:mm\\:ss}  [{p.Stage.BatchSize}x{p.Stage.PatchSize}px]");

    /// <summary>
    /// On a terminal, a status line redrawn in place (at most a few times a second) below the log lines; when the
    /// output is redirected only the log lines are written, which carry the same figures every <c>print_freq</c>.
    /// </summary>
    private sealed class StatusLine(Cli cli)
    {
        private readonly TextWriter output = cli.Out;
        private readonly bool live = cli.Interactive;
        private readonly Stopwatch sinceDrawn = Stopwatch.StartNew();
        private readonly Lock gate = new();
        private int width;

        public void Show(string text)
        {
            if (!live || sinceDrawn.ElapsedMilliseconds < 250)
                return;
            lock (gate)
            {
                var fitted = text.Length >= Console.BufferWidth ? text[..Math.Max(0, Console.BufferWidth - 1)] : text;
                output.Write("\r" + fitted.PadRight(width));
                width = fitted.Length;
                sinceDrawn.Restart();
            }
        }

        public void Line(string text) => Write(() => output.WriteLine(text));

        public void Warning(string text) => Write(() => cli.Warn(text));

        private void Write(Action write)
        {
            lock (gate)
            {
                if (width > 0)
                    output.Write("\r" + new string(' ', width) + "\r");
                width = 0;
                write();
            }
        }
    }

    /// <summary>First Ctrl-C or SIGTERM asks the trainer to save and stop; a second Ctrl-C quits at once.</summary>
    private sealed class InterruptHandler : IDisposable
    {
        private readonly CancellationTokenSource stop;
        private readonly TextWriter output;
        private readonly PosixSignalRegistration terminate;

        public InterruptHandler(CancellationTokenSource stop, TextWriter output)
        {
            this.stop = stop;
            this.output = output;
            Console.CancelKeyPress += OnCancelKey;
            terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Request();
            });
        }

        private void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            if (stop.IsCancellationRequested)
                return;
            e.Cancel = true;
            Request();
        }

        private void Request()
        {
            output.WriteLine();
            output.WriteLine("Stopping after this iteration and saving a training state (Ctrl-C again to quit at once)...");
            stop.Cancel();
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancelKey;
            terminate.Dispose();
        }
    }
}

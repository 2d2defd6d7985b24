using System.CommandLine;
using System.Runtime.InteropServices;
using Restormer.Inference;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>worker</c>: restores jobs from the work queue until stopped (Ctrl+C or SIGTERM hands the running job back),
/// keeping the <c>--max-models</c> models it used last. Start one per machine (each already uses every core).
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the network (default: one per core)." }.Within(1, OptionRange.MaxThreads, "four per core");
        var weightsDir = new Option<string?>("--weights-dir", "--models-dir") { Description = "Folder with the task weights for jobs that name a task (default: $RESTORMER_MODELS or the installation's models/)." };
        var name = new Option<string?>("--name") { Description = "This worker's name in the queue (default: host name and process id)." };
        var maxModels = new Option<int>("--max-models") { Description = "Models (task or weights with one set of pixel settings) kept loaded; the least recently used is freed to load another.", DefaultValueFactory = _ => QueueWorker.DefaultMaxModels }.Within(1, 64);
        var queue = new QueueOptions();
        var command = new Command("worker", "Restore jobs from a work queue (redis://HOST:PORT[/DB]) that `restore --queue` and `serve --queue` fill; run one per machine.")
            { device, threads, weightsDir, name, maxModels };
        queue.AddTo(command, QueueOptions.Role.Worker);
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli => Run(cli, queue.Address(parse)!, queue.Read(parse),
            new RestoreOptions { Device = parse.GetValue(device)!, Threads = parse.GetValue(threads) },
            parse.GetValue(name) ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            parse.GetValue(weightsDir) is { } dir ? new ModelStore(dir) : ModelStore.Default, parse.GetValue(maxModels), cancellation))));
        return command;
    }

    internal static int Run(Cli cli, string address, QueueSettings settings, RestoreOptions machine, string name, ModelStore models, int maxModels, CancellationToken cancellation)
    {
        using var queue = WorkQueue.Connect(address, settings);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // Container schedulers stop a pod with SIGTERM: hand the job back at once instead of waiting to be reclaimed.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stopping.Cancel(); });
        // One line per message whatever a job's name or error holds (a newline or terminal escape from the queue).
        using var worker = new QueueWorker(queue, machine, name, line => cli.Info(Cli.OneLine(line)), models, maxModels);
        cli.Info($"Worker {name} on {queue.Address}: up to {settings.MaxAttempts} attempt(s) per job, reclaimed after {settings.VisibilityTimeout.TotalSeconds:0.#} s of silence, {maxModels} model(s) kept loaded (Ctrl+C to stop).");
        worker.Run(stopping.Token);
        cli.Info($"Stopped after {worker.Settled} job(s).");
        return 0;
    }
}

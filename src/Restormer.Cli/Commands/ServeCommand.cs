using System.CommandLine;
using Restormer.Cli.Serve;
using Restormer.Inference;

namespace Restormer.Cli.Commands;

/// <summary><c>serve</c>: a web page on this computer to restore one photo at a time and compare before/after.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServeOptions();
        var port = new Option<int>("--port", "-p") { Description = "TCP port to listen on.", DefaultValueFactory = _ => defaults.Port }.Within(0, 65535, "0 picks a free port");
        var host = new Option<string>("--host") { Description = "Address to listen on. The default is this computer only; 0.0.0.0 opens the page to your network (it has no login).", DefaultValueFactory = _ => defaults.Host };
        var maxUpload = new Option<double>("--max-upload-mb") { Description = "Largest image file accepted, in MB.", DefaultValueFactory = _ => defaults.MaxUploadBytes / 1048576.0 }.Within(0.001, 4096.0, "MB");
        var weightsDir = new Option<string?>("--weights-dir", "--models-dir") { Description = "Folder with the task weights (default: $RESTORMER_MODELS or the installation's models/)." };
        var queue = new Option<string>("--queue") { Description = "Images that may wait per model while one is restored (more are refused, HTTP 503); or a work queue redis://HOST:PORT[/DB] whose `restormer worker`s restore the uploads.", DefaultValueFactory = _ => defaults.QueueCapacity.ToString() };
        var inFlight = new Option<int>("--in-flight") { Description = "With a work queue: uploads per model handed to the workers at once; more wait here.", DefaultValueFactory = _ => defaults.InFlight }.Within(1, 100000);
        var queueOptions = new QueueOptions();
        var keep = new Option<double>("--keep-minutes") { Description = "How long restored images stay downloadable; then they are deleted.", DefaultValueFactory = _ => defaults.ResultLifetime.TotalMinutes }.Within(0.1, 10080.0, "a week");
        var common = new InferenceOptions();
        var command = new Command("serve", "Open a web page to restore photos in the browser: drop an image, pick a task, compare before/after, download the PNG.")
            { port, host, maxUpload, weightsDir, queue, keep, inFlight };
        common.AddTo(command);
        queueOptions.AddTo(command, QueueOptions.Role.Serve);
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli => Run(cli, new ServeOptions
        {
            Port = parse.GetValue(port),
            Host = parse.GetValue(host)!,
            MaxUploadBytes = (long)(parse.GetValue(maxUpload) * 1048576),
            Models = parse.GetValue(weightsDir) is { } dir ? new ModelStore(dir) : ModelStore.Default,
            QueueCapacity = int.TryParse(parse.GetValue(queue), out int capacity) ? capacity : defaults.QueueCapacity,
            QueueAddress = int.TryParse(parse.GetValue(queue), out _) ? null : parse.GetValue(queue),
            Queue = queueOptions.Read(parse),
            InFlight = parse.GetValue(inFlight),
            ResultLifetime = TimeSpan.FromMinutes(parse.GetValue(keep)),
            Restore = common.Read(parse),
        }, cancellation))));
        return command;
    }

    internal static int Run(Cli cli, ServeOptions options, CancellationToken cancellation)
    {
        var server = RestoreServer.StartAsync(options, cli.Info, cancellation: cancellation).GetAwaiter().GetResult();
        // Uploads larger than 64 KB are buffered in ASP.NET's temporary files: keep them in the server's own folder,
        // which is deleted when it stops and, should it be killed, when the next server starts.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEMP", server.Work.Path);
        try
        {
            Describe(cli, server);
            server.WaitForShutdownAsync(cancellation).GetAwaiter().GetResult();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        cli.Info("Stopped; temporary files deleted.");
        return 0;
    }

    private static void Describe(Cli cli, RestoreServer server)
    {
        var options = server.Options;
        if (!RestoreServer.IsLoopback(options.Host.Trim('[', ']')))
            cli.Warn($"listening on {options.Host}: anyone who can reach this computer can use the page (it has no login).");
        var tasks = RestorationTask.All.Select(t => (Task: t, Weights: options.Models.TryResolve(t))).ToList();
        cli.Info($"Restormer page: {server.Address} (Ctrl+C to stop)");
        cli.Info($"Models folder: {options.Models.Directory}");
        foreach (var (task, weights) in tasks)
            cli.Info(weights is null ? $"  missing  {task.Name,-33} put {task.WeightsFileName} there" : $"  ready    {task.Name,-33} {Path.GetFileName(weights)}");
        if (tasks.All(t => t.Weights is null))
            cli.Warn("no task has weights yet: the page will say which file to put where (see README, 'Published weights').");
        if (options.QueueAddress is { } address)
            cli.Info($"Restoring on the workers of {address} (up to {options.InFlight} per model at once; `restormer worker --queue {address}` starts one).");
        cli.Info($"Uploads up to {options.MaxUploadBytes / 1048576.0:0.##} MB; up to {options.QueueCapacity} waiting per model; " +
                 $"results kept {options.ResultLifetime.TotalMinutes:0.#} min in {server.Work.Path}");
    }
}

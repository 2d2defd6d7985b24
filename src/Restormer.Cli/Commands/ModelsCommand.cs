using System.CommandLine;
using Restormer.Inference;

namespace Restormer.Cli.Commands;

/// <summary><c>models</c>: which weights each task uses and whether they are here; <c>models fetch</c> downloads one.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var directory = new Option<string?>("--models-dir") { Description = "The models folder (default: $RESTORMER_MODELS or the installation's models/).", Recursive = true };
        var command = new Command("models", "List the tasks, the weights file each expects, and whether it is present.") { directory };
        command.SetAction(parse => Cli.Run(parse, cli => List(cli, Store(parse, directory))));
        command.Subcommands.Add(CreateFetch(directory));
        return command;
    }

    private static ModelStore Store(ParseResult parse, Option<string?> directory) =>
        parse.GetValue(directory) is { } path ? new ModelStore(path) : ModelStore.Default;

    private static int List(Cli cli, ModelStore store)
    {
        cli.Info($"Models folder: {store.Directory} (set RESTORMER_MODELS to use another)");
        cli.Info($"{"task",-33} {"file",-38} {"size",10}  sha256");
        foreach (var task in RestorationTask.All)
        {
            foreach (var file in new[] { task.WeightsFileName, DefaultModels.For(task) }.OfType<string>())
            {
                var path = Path.Combine(store.Directory, file);
                var present = File.Exists(path);
                var size = present ? $"{new FileInfo(path).Length / 1e6:F1} MB" : "missing";
                var hash = present ? ModelDownloader.Sha256(path) : "";
                var label = file == task.WeightsFileName ? task.Name : "  (shipped default)";
                cli.Info($"{label,-33} {file,-38} {size,10}  {hash}");
            }
        }
        return 0;
    }

    private static Command CreateFetch(Option<string?> directory)
    {
        var task = new Argument<string>("task") { Description = "Task whose weights to download (e.g. motion_deblurring)." };
        var url = new Option<string>("--url") { Description = "Where to download the .pth from.", Required = true };
        var sha = new Option<string?>("--sha256") { Description = "Expected SHA-256; the file is kept only if it matches." };
        var command = new Command("fetch", "Download a task's weights into the models folder (atomic, optional SHA-256 check).") { task, url, sha };
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli =>
        {
            var target = RestorationTask.Parse(parse.GetValue(task)!);
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new ArgumentException($"--url must be an http(s) address, got '{parse.GetValue(url)}'.");
            var destination = Store(parse, directory).PathFor(target);
            string digest = "";
            ProgressDisplay.Run(cli, $"downloading {target.WeightsFileName}", 1, display =>
            {
                var progress = new Progress<(long Done, long? Total)>(p => display.Value = p.Total is long t && t > 0 ? (double)p.Done / t : 0);
                digest = ModelDownloader.DownloadAsync(uri, destination, parse.GetValue(sha), progress, cancellation: cancellation).GetAwaiter().GetResult();
            });
            cli.Info($"Saved {destination} ({new FileInfo(destination).Length / 1e6:F1} MB, sha256 {digest}).");
            return 0;
        })));
        return command;
    }
}

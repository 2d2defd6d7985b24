using System.CommandLine;
using System.Diagnostics;
using Restormer.Checkpoints;
using Restormer.Downloads;
using Restormer.Inference;
using Restormer.Model;

namespace Restormer.Cli.Commands;

/// <summary><c>models</c>: the published checkpoints, where they come from and which are installed; <c>models fetch</c> downloads them.</summary>
public static class ModelsCommand
{
    /// <summary>The command over the authors' checkpoints, or over <paramref name="catalogue"/> (a test's small models).</summary>
    public static Command Create(IReadOnlyList<PublishedModel>? catalogue = null)
    {
        catalogue ??= PublishedModels.All;
        var directory = new Option<string?>("--models-dir") { Description = "The models folder (default: $RESTORMER_MODELS or the installation's models/).", Recursive = true };
        var command = new Command("models", "List the published Restormer checkpoints with their release addresses, and which are installed (checked: architecture, SHA-256).") { directory };
        command.SetAction(parse => Cli.Run(parse, cli => List(cli, Store(parse, directory), catalogue)));
        command.Subcommands.Add(CreateFetch(directory, catalogue));
        return command;
    }

    private static ModelStore Store(ParseResult parse, Option<string?> directory) =>
        parse.GetValue(directory) is { } path ? new ModelStore(path) : ModelStore.Default;

    private static int List(Cli cli, ModelStore store, IReadOnlyList<PublishedModel> catalogue)
    {
        cli.Info($"Models folder: {store.Directory} (set RESTORMER_MODELS or --models-dir to use another)");
        cli.Info($"Published weights: {PublishedModel.ReleaseBaseUrl}<name>.pth ('models fetch <name>' downloads one)");
        cli.Info($"Licence: {PublishedModels.Licence}.");
        cli.Info("");
        cli.Info($"{"name",-34} {"input",-10} {"status",-10} {"size",-13} architecture, SHA-256");
        foreach (var model in catalogue)
        {
            var path = Path.Combine(store.Directory, model.FileName);
            Describe(cli, model.Name, model.Input, path, model.KnownSize, model.Verify);
            var usedBy = model.Task is { } task ? $"task {task.Name}; " : "";
            cli.Info($"{"",-34} {usedBy}{model.Url}");
            var partial = ModelDownloader.PartialPath(path);
            if (File.Exists(partial))
                cli.Info($"{"",-34} partial download: {new FileInfo(partial).Length / 1e6:F1} MB in {Path.GetFileName(partial)}; 'models fetch {model.Name}' resumes it");
            if (model.Task is { } fallbackTask && DefaultModels.For(fallbackTask) is { } shipped)
                Describe(cli, $"  {Path.GetFileNameWithoutExtension(shipped)}", "colour", Path.Combine(store.Directory, shipped), null,
                    RestormerNet.ReadArchitecture, $"(shipped; used while {model.FileName} is missing)");
        }
        return 0;
    }

    /// <summary>One listing line: present or not, and for a present file its size, architecture and SHA-256 (with a change since download flagged).</summary>
    private static void Describe(Cli cli, string name, string input, string path, long? knownSize, Func<string, RestormerConfig> verify, string note = "")
    {
        if (!File.Exists(path))
        {
            var size = knownSize is long bytes ? $"{bytes / 1e6:F1} MB" : "unknown";
            cli.Info($"{name,-34} {input,-10} {"missing",-10} {size,-13} {note}".TrimEnd());
            return;
        }
        var length = $"{new FileInfo(path).Length / 1e6:F1} MB";
        try
        {
            var config = verify(path);
            var (state, actual, recorded) = WeightsDigest.Check(path);
            var status = state == DigestState.Changed ? "CHANGED" : "installed";
            cli.Info($"{name,-34} {input,-10} {status,-10} {length,-13} {Architecture(config)}; sha256 {actual} {note}".TrimEnd());
            if (state == DigestState.Changed)
                cli.Info($"{"",-34} differs from the downloaded file (recorded SHA-256 {recorded}); 'models fetch {name.Trim()} --force' downloads it again");
        }
        catch (CheckpointException e)
        {
            cli.Info($"{name,-34} {input,-10} {"UNUSABLE",-10} {length,-13} {e.Message}");
        }
    }

    private static string Architecture(RestormerConfig c) =>
        $"dim {c.Dim}, blocks [{string.Join(",", c.NumBlocks)}], {c.LayerNormType} LayerNorm";

    private static Command CreateFetch(Option<string?> directory, IReadOnlyList<PublishedModel> catalogue)
    {
        var names = new Argument<string[]>("name") { Description = "Published models to download, by name (see 'models') or task (deraining, Real_Denoising…).", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Download every published model (13 files of about 100 MB)." };
        var url = new Option<string?>("--url") { Description = "Download from this address instead of the authors' release (a mirror); one model only." };
        var sha = new Option<string?>("--sha256") { Description = "Keep the file only if its SHA-256 is this; one model only." };
        var timeout = new Option<double>("--timeout") { Description = $"Seconds without receiving data after which a transfer counts as stalled (1-{DownloadOptions.MaxStallSeconds}).", DefaultValueFactory = _ => 30 }.Within(1.0, DownloadOptions.MaxStallSeconds, "seconds");
        var retries = new Option<int>("--retries") { Description = $"How often an interrupted or stalled transfer is resumed before giving up (0-{DownloadOptions.MaxRetries}).", DefaultValueFactory = _ => 3 }.Within(0, DownloadOptions.MaxRetries);
        var force = new Option<bool>("--force") { Description = "Download again even when a good copy is installed." };
        var command = new Command("fetch", "Download published weights into the models folder: resumable, checked (loads as the right Restormer architecture, size, SHA-256) before anything is replaced.")
            { names, all, url, sha, timeout, retries, force };
        command.SetAction((parse, cancellation) => Task.FromResult(Cli.Run(parse, cli =>
        {
            var wanted = parse.GetValue(all) ? catalogue.ToList()
                : parse.GetValue(names)!.Select(name => catalogue.Single(m => m.Name == PublishedModels.Parse(name).Name)).Distinct().ToList();
            if (wanted.Count == 0)
                throw new ArgumentException("Name the models to fetch (see 'models'), e.g. 'models fetch motion_deblurring', or pass --all.");
            if (parse.GetValue(all) && parse.GetValue(names)!.Length > 0)
                throw new ArgumentException("Pass either names or --all, not both.");
            Uri? mirror = null;
            if (parse.GetValue(url) is { } address && (!Uri.TryCreate(address, UriKind.Absolute, out mirror) || (mirror.Scheme != "http" && mirror.Scheme != "https")))
                throw new ArgumentException($"--url must be an http(s) address, got '{address}'.");
            if ((mirror is not null || parse.GetValue(sha) is not null) && wanted.Count != 1)
                throw new ArgumentException("--url and --sha256 apply to one model: name exactly one.");
            var options = new DownloadOptions
            {
                StallTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                Retries = parse.GetValue(retries),
                ExpectedSha256 = parse.GetValue(sha),
            };
            options.Validate();
            var store = Store(parse, directory);
            cli.Info($"Licence of the published weights: {PublishedModels.Licence}.");
            int failed = 0;
            foreach (var model in wanted)
            {
                try
                {
                    Fetch(cli, store, model, mirror, options, parse.GetValue(force), cancellation);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or CheckpointException or UnauthorizedAccessException)
                {
                    cli.Error(e.Message);
                    failed++;
                }
            }
            if (wanted.Count > 1)
                cli.Info($"{wanted.Count - failed} of {wanted.Count} model(s) installed in {store.Directory}" + (failed > 0 ? $"; {failed} failed." : "."));
            return failed == 0 ? 0 : 2;
        })));
        return command;
    }

    private static void Fetch(Cli cli, ModelStore store, PublishedModel model, Uri? mirror, DownloadOptions options, bool force, CancellationToken cancellation)
    {
        var destination = Path.Combine(store.Directory, model.FileName);
        if (File.Exists(destination) && !force && AlreadyInstalled(cli, model, destination))
            return;
        var url = mirror ?? model.Url;
        var partial = ModelDownloader.PartialPath(destination);
        long resumeAt = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        cli.Info($"Downloading {model.FileName} from {url}" + (resumeAt > 0 ? $", resuming at {resumeAt / 1e6:F1} MB" : "") + $" into {store.Directory}");
        RestormerConfig? config = null;
        options = options with
        {
            // The known size is the release asset's: a mirror may serve its own re-save, which the checkpoint check still covers.
            ExpectedSize = mirror is null && options.ExpectedSha256 is null ? model.KnownSize : null,
            Verify = file => config = model.Verify(file),
        };
        var watch = Stopwatch.StartNew();
        string digest = "";
        try
        {
            ProgressDisplay.Run(cli, model.FileName, model.KnownSize ?? 1, display =>
                digest = ModelDownloader.DownloadAsync(url, destination, options, new TransferReport(cli, display, model.FileName), cancellation).GetAwaiter().GetResult(),
                transfer: true);
        }
        catch (OperationCanceledException)
        {
            if (File.Exists(partial))
                cli.Info($"Interrupted: the {new FileInfo(partial).Length / 1e6:F1} MB received are kept in {partial}; run the same command again to resume.");
            throw;
        }
        var size = new FileInfo(destination).Length;
        cli.Info($"Saved {destination} ({size:N0} bytes in {watch.Elapsed.TotalSeconds:F1} s, {model.Input}, {Architecture(config!)}; SHA-256 {digest}, recorded in {Path.GetFileName(WeightsDigest.RecordPath(destination))}).");
    }

    /// <summary>True (and says so) when a good copy is installed; false when the file there is unusable and should be replaced.</summary>
    private static bool AlreadyInstalled(Cli cli, PublishedModel model, string destination)
    {
        try
        {
            model.Verify(destination);
        }
        catch (CheckpointException e)
        {
            cli.Warn($"the installed {model.FileName} is unusable ({e.Message}); downloading it again.");
            return false;
        }
        var (state, actual, recorded) = WeightsDigest.Check(destination);
        if (state == DigestState.Changed)
            cli.Warn($"{destination} differs from the file downloaded earlier (SHA-256 {actual}, recorded {recorded}); kept. Add --force to download it again.");
        else
            cli.Info($"{model.FileName} is already installed ({destination}, SHA-256 {actual}{(state == DigestState.Matches ? ", as downloaded" : "")}); --force downloads it again.");
        return true;
    }

    /// <summary>
    /// Shows a download's bytes on the live bar, or when there is none (logs, pipes) a plain line every few seconds
    /// with the bytes, speed and time left.
    /// </summary>
    private sealed class TransferReport(Cli cli, ProgressDisplay display, string name) : IProgress<DownloadProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private TimeSpan lastLine = -Interval;
        private readonly object gate = new();

        public void Report(DownloadProgress p)
        {
            lock (gate)
            {
                if (p.Total is long total) display.Maximum = total;
                display.Value = p.Done;
                bool finished = p.Total == p.Done;
                if (display.Live || (clock.Elapsed - lastLine < Interval && !finished)) return;
                lastLine = clock.Elapsed;
                double speed = (p.Done - p.ResumedFrom) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
                var left = p.Total is long t && speed > 0 ? $", {TimeSpan.FromSeconds(Math.Round((t - p.Done) / speed)):g} left" : "";
                var of = p.Total is long size ? $" of {size / 1e6:F1}" : "";
                cli.Info($"  {name}: {p.Done / 1e6:F1}{of} MB, {speed / 1e6:F1} MB/s{left}");
            }
        }
    }
}

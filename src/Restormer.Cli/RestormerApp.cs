using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Restormer.Cli.Commands;
using Restormer.Platform;

namespace Restormer.Cli;

/// <summary>
/// The program <c>restormer</c>: its commands, its name in help and errors, and exit code 2 for usage errors, which
/// are printed (as <c>error: …</c>) before the command's usage.
/// </summary>
public static partial class RestormerApp
{
    /// <summary>The program's name, as help and messages spell it.</summary>
    public const string Name = "restormer";

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("Restormer for .NET: restore photographs (motion/defocus deblurring, deraining, denoising) with the Restormer network. " + RestoreCommand.ExitCodes)
        {
            HelpName = Name,
        };
        Command[] commands =
        [
            RestoreCommand.Create(),
            ModelsCommand.Create(),
            NewModelCommand.Create(),
            DegradeCommand.Create(),
            EvaluateCommand.Create(),
            TestCommand.Create(),
            TrainCommand.Create(),
            GeneratePatchesCommand.Create(),
            ServeCommand.Create(),
            BenchCommand.Create(),
            ExportCommand.Create(),
            WorkerCommand.Create(),
            DoctorCommand.Create(),
        ];
        foreach (var command in commands) root.Subcommands.Add(command);
        root.Options.Add(Verbose);
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        return root;
    }

    /// <summary>
    /// The program's entry: as <see cref="Run"/>, and commands whose action takes a cancellation token stop cleanly on
    /// Ctrl-C or SIGTERM (<see cref="Interruption"/>); the others end at once, as any program does (train, which saves
    /// a state first, handles the signals itself).
    /// </summary>
    public static Task<int> RunAsync(string[] args) => Run(args, new InvocationConfiguration { ProcessTerminationTimeout = null }, handleSignals: true);

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null) =>
        Run(args, configuration ?? new InvocationConfiguration(), handleSignals: false).GetAwaiter().GetResult();

    private static Task<int> Run(string[] args, InvocationConfiguration configuration, bool handleSignals) =>
        Invoke(CreateRoot(), args, configuration, handleSignals);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/> (tests give a root with one command).</summary>
    public static int Invoke(RootCommand root, string[] args, InvocationConfiguration configuration) =>
        Invoke(root, args, configuration, handleSignals: false).GetAwaiter().GetResult();

    /// <summary><c>--verbose</c>, on every command: an unexpected error also prints its details (a stack trace).</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "If an unexpected error stops the command, also print its details (a stack trace) for a bug report.", Recursive = true };

    /// <summary>The exit code of a command stopped by an error it did not expect (a bug), as BSD's EX_SOFTWARE.</summary>
    public const int UnexpectedErrorExitCode = 70;

    /// <summary>Where users report bugs (the project's address, from the build).</summary>
    public static string IssuesUrl { get; } =
        typeof(RestormerApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ProjectUrl")?.Value + "/issues";

    /// <summary>
    /// The one line for an error nothing expected (a bug), at every boundary (a command, a served request): the
    /// exception's type and message (300 characters at most), <paramref name="doing"/>, and where to report it.
    /// </summary>
    internal static string Unexpected(Exception e, string doing)
    {
        var message = Cli.OneLine($"{e.GetType().Name}: {e.Message}");
        return $"unexpected {(message.Length > 300 ? message[..300] + "…" : message)} {doing}. " +
               $"This is a bug: please report it at {IssuesUrl} with this line and the output of '{Name} doctor'";
    }

    private static async Task<int> Invoke(RootCommand root, string[] args, InvocationConfiguration configuration, bool handleSignals)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count == 0)
        {
            // Said once, when a command first computes with libtorch and the platform check had to step in.
            Action<string> notice = line => configuration.Error.WriteLine($"note: {Cli.OneLine(line)}");
            LibTorchGuard.Notice += notice;
            configuration.EnableDefaultExceptionHandler = false; // every exception reaches the one line below
            try
            {
                if (!handleSignals) return parse.Invoke(configuration);
                if (parse.Action is AsynchronousCommandLineAction) Interruption.Listen();
                return await parse.InvokeAsync(configuration, Interruption.Token);
            }
            catch (Exception e)
            {
                // The errors a user can cause are turned into exit code 2 by each command (Cli.Run); what arrives here is a bug.
                bool verbose = parse.GetResult(Verbose) is { } given && given.GetValueOrDefault<bool>();
                configuration.Error.WriteLine($"error: {Unexpected(e, $"(in '{string.Join(' ', [Name, .. CommandPath(parse.CommandResult)])}')")}" +
                                              (verbose ? "." : "; --verbose prints the details."));
                if (verbose) configuration.Error.WriteLine(e.ToString());
                return UnexpectedErrorExitCode;
            }
            finally
            {
                LibTorchGuard.Notice -= notice;
            }
        }

        var error = configuration.Error;
        foreach (var message in parse.Errors.Select(e => Readable(e.Message)).Distinct())
            error.WriteLine($"error: {message}");
        var path = CommandPath(parse.CommandResult);
        var help = new StringWriter();
        root.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = help, Error = help });
        var usage = help.ToString().Split('\n').SkipWhile(l => !l.StartsWith("Usage:")).TakeWhile(l => l.Trim().Length > 0);
        error.WriteLine();
        foreach (var line in usage) error.WriteLine(line.TrimEnd('\r'));
        error.WriteLine();
        error.WriteLine($"Run '{string.Join(' ', [Name, .. path, "--help"])}' for every option.");
        return 2;
    }

    /// <summary>
    /// A parse error in words a user reads: System.CommandLine names the option's .NET type ("as expected type
    /// 'System.Nullable`1[System.Int64]'"), which says "a whole number" here.
    /// </summary>
    internal static string Readable(string message) => ExpectedType().Replace(message, m => (m.Groups[1].Value) switch
    {
        "Int32" or "Int64" or "Int16" or "UInt32" or "UInt64" => ": it must be a whole number",
        "Double" or "Single" or "Decimal" => ": it must be a number",
        "Boolean" => ": it must be true or false",
        var other => $": it must be a {other.ToLowerInvariant()}",
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*as expected type '(?:System\.Nullable`1\[)?System\.(\w+)\]?'")]
    private static partial System.Text.RegularExpressions.Regex ExpectedType();

    /// <summary>The program's version: the package version set once in Directory.Build.props.</summary>
    public static string Version { get; } =
        typeof(RestormerApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    /// <summary><c>--version</c> prints <see cref="Version"/> (the default would print the entry assembly's, a test host's under tests).</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        }
    }

    private static List<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var path = new List<string>();
        for (var r = result; r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
            path.Insert(0, r.Command.Name);
        return path;
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;

namespace Restormer.Cli;

/// <summary>
/// Console conventions shared by all commands: results and progress to the invocation's output, <c>error: …</c> and
/// <c>warning: …</c> to its error writer, exit code 2 for usage/input errors found before or instead of work.
/// </summary>
public sealed class Cli(ParseResult parse)
{
    public TextWriter Out => parse.InvocationConfiguration.Output;
    public TextWriter Err => parse.InvocationConfiguration.Error;

    /// <summary>True when writing to a real terminal, where a live progress bar makes sense.</summary>
    public bool Interactive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    public void Info(string line) => Out.WriteLine(line);
    public void Warn(string message) => Err.WriteLine($"warning: {message}");
    public void Error(string message) => Err.WriteLine($"error: {message}");

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command. A parse error (unknown option, a value that is not a
    /// number, a number outside its <see cref="OptionRange"/>) is one line <c>error: …</c> and exit code 2, not a
    /// page of help.
    /// </summary>
    public static int Invoke(Command root, string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count == 0)
            return configuration is null ? parse.Invoke() : parse.Invoke(configuration);
        var names = new List<string> { "--help" };
        for (var result = parse.CommandResult; result.Command != root; result = (CommandResult)result.Parent!)
            names.Insert(0, result.Command.Name);
        var help = "restormer " + string.Join(' ', names);
        (configuration?.Error ?? Console.Error).WriteLine($"error: {parse.Errors[0].Message} (see '{help}')");
        return 2;
    }

    /// <summary>Runs a command body, turning the errors a user can cause into one clear line and exit code 2.</summary>
    public static int Run(ParseResult parse, Func<Cli, int> body)
    {
        var cli = new Cli(parse);
        try
        {
            return body(cli);
        }
        catch (OperationCanceledException)
        {
            cli.Error("cancelled.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException
                                   or NotSupportedException or Restormer.Checkpoints.CheckpointException or Restormer.Model.StateDictMismatchException)
        {
            cli.Error(e.Message);
            return 2;
        }
    }
}

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

    /// <summary>
    /// Where <see cref="Info"/> lines go: the output (default), the error writer when the output carries data (JSON
    /// records, an image), or nowhere (<c>--quiet</c>). Errors and warnings always go to the error writer.
    /// </summary>
    public InfoTarget InfoTo { get; set; } = InfoTarget.Output;

    /// <summary>True when informational lines go to a real terminal, where a live progress bar makes sense.</summary>
    public bool Interactive => InfoTo == InfoTarget.Output && ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    public void Info(string line) => (InfoTo switch { InfoTarget.Output => Out, InfoTarget.Error => Err, _ => TextWriter.Null }).WriteLine(line);
    public void Warn(string message) => Err.WriteLine($"warning: {OneLine(message)}");
    public void Error(string message) => Err.WriteLine($"error: {OneLine(message)}");

    /// <summary>
    /// <paramref name="text"/> with control characters written as escapes (<c>\n</c>, <c>\x1B</c>…): a file name may
    /// hold a newline or a terminal escape sequence, and a message about it must stay one line and must not drive the terminal.
    /// </summary>
    public static string OneLine(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var line = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
            line.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        return line.ToString();
    }

    /// <summary><c>--overwrite</c> for a command that writes one file, as <c>restore</c> has it for its outputs.</summary>
    public static Option<bool> OverwriteOption() => new("--overwrite") { Description = "Replace the output file if it exists (default: stop, naming it)." };

    /// <summary>Stops before any work when <paramref name="path"/> exists and <paramref name="overwrite"/> was not given: a typo must not replace a photo or a trained model.</summary>
    public static void RefuseToReplace(string path, bool overwrite)
    {
        if (Directory.Exists(path))
            throw new ArgumentException($"'{path}' is a folder: give a file name for the output.");
        if (File.Exists(path) && !overwrite)
            throw new ArgumentException($"'{path}' exists already: add --overwrite to replace it, or choose another output name (nothing was done).");
    }

    /// <summary>Runs a command body, turning the errors a user can cause into one clear line and exit code 2.</summary>
    public static int Run(ParseResult parse, Func<Cli, int> body)
    {
        var cli = new Cli(parse);
        try
        {
            return body(cli);
        }
        catch (OperationCanceledException) when (Interruption.Requested)
        {
            cli.Error($"stopped by {Interruption.Cause}; nothing half-written was kept.");
            return Interruption.ExitCode;
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

using System.CommandLine;

namespace Restormer.Tests.Cli;

/// <summary>Runs one CLI command in-process with captured output, as a user would from the shell (parse errors included).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    /// <summary>Runs the whole program (<c>restormer …</c>) as <c>Program.cs</c> does, usage-error handling included.</summary>
    public static Result RunApp(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = Restormer.Cli.RestormerApp.Run(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    public static Result Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = Restormer.Cli.RestormerApp.Invoke(root, [command.Name, .. args], new InvocationConfiguration { Output = stdout, Error = stderr });
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}

using System.CommandLine;

namespace Restormer.Tests.Cli;

/// <summary>Runs one CLI command in-process with captured output, as a user would from the shell (parse errors included).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = Restormer.Cli.Cli.Invoke(root, [command.Name, .. args], new InvocationConfiguration { Output = stdout, Error = stderr });
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}

using System.CommandLine;
using Restormer.Cli;

namespace Restormer.Tests.Cli;

/// <summary>An error no command expected (a bug) ends in one line naming the command and where to report it, exit code 70; its stack trace only with --verbose.</summary>
public class UnexpectedErrorTests
{
    static (int Code, string Err) Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        root.Options.Add(RestormerApp.Verbose);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = RestormerApp.Invoke(root, args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stderr.ToString());
    }

    public static TheoryData<bool> Kinds => new() { false, true };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OneLineWithTheCommandAndWhereToReportItAndExitCode70(bool asynchronous)
    {
        var boom = new Command("boom");
        if (asynchronous) boom.SetAction(async (_, _) => { await Task.Yield(); throw new InvalidOperationException("the cache\nbroke"); });
        else boom.SetAction(int (ParseResult _) => throw new InvalidOperationException("the cache\nbroke"));

        var (code, err) = Run(boom, "boom");

        Assert.Equal(RestormerApp.UnexpectedErrorExitCode, code);
        Assert.Equal(1, err.Count(c => c == '\n'));
        Assert.StartsWith("error: unexpected InvalidOperationException: the cache\\nbroke (in 'restormer boom'). This is a bug: please report it at https://", err);
        Assert.Contains("/issues with this line and the output of 'restormer doctor'; --verbose prints the details.", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var boom = new Command("boom");
        boom.SetAction(int (ParseResult _) => throw new KeyNotFoundException("no such key"));
        var (code, err) = Run(boom, "boom", "--verbose");
        Assert.Equal(70, code);
        Assert.StartsWith("error: unexpected KeyNotFoundException: no such key (in 'restormer boom').", err);
        Assert.Contains("   at ", err);
    }

    [Fact]
    public void AUsersMistakeIsStillExitCode2()
    {
        var result = CliRunner.RunApp("restore", "no-such-photo.png", "-o", Path.Combine(TestPaths.RunTemp, "never"));
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("unexpected", result.Err);
    }
}

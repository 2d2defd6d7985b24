using System.CommandLine;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Faults;

/// <summary>
/// Every numeric option of every command at and beyond its limits: values outside are one line naming the option
/// and its range, exit code 2, before any work; the limits themselves are accepted.
/// </summary>
public class NumericOptionTests
{
    static Command[] AllCommands() =>
    [
        RestoreCommand.Create(), ModelsCommand.Create(), NewModelCommand.Create(), DegradeCommand.Create(), EvaluateCommand.Create(),
        TestCommand.Create(), TrainCommand.Create(), GeneratePatchesCommand.Create(), ServeCommand.Create(), BenchCommand.Create(),
        WorkerCommand.Create(),
    ];

    static readonly int MaxThreads = 4 * Environment.ProcessorCount;

    /// <summary>Command, option, lowest and highest accepted value (the documented ranges).</summary>
    public static TheoryData<string, string, string, string> Limits
    {
        get
        {
            var data = new TheoryData<string, string, string, string>();
            foreach (var command in new[] { "restore", "test", "serve", "bench" })
            {
                data.Add(command, "--threads", "1", $"{MaxThreads}");
                data.Add(command, "--tile", "8", "16384");
                data.Add(command, "--tile-overlap", "0", "1024");
                data.Add(command, "--memory-budget", "0.125", "1024");
                data.Add(command, "--max-pixels", "1", "2147483648");
            }
            data.Add("train", "--threads", "1", $"{MaxThreads}");
            data.Add("worker", "--threads", "1", $"{MaxThreads}");
            data.Add("worker", "--max-models", "1", "64");
            data.Add("worker", "--max-attempts", "1", "100");
            data.Add("worker", "--visibility-timeout", "1", "86400");
            data.Add("serve", "--port", "0", "65535");
            data.Add("serve", "--in-flight", "1", "100000");
            data.Add("serve", "--max-upload-mb", "0.001", "4096");
            data.Add("serve", "--keep-minutes", "0.1", "10080");
            data.Add("bench", "--repeat", "1", "1000");
            data.Add("bench", "--warmup", "0", "100");
            data.Add("bench", "--dim", "1", "1024");
            data.Add("bench", "--refinement", "0", "64");
            data.Add("new-model", "--dim", "1", "1024");
            data.Add("new-model", "--refinement", "0", "64");
            data.Add("new-model", "--seed", "0", $"{long.MaxValue}");
            data.Add("degrade", "--seed", "0", $"{int.MaxValue}");
            data.Add("degrade", "--count-per-image", "1", "1000");
            data.Add("evaluate", "--crop", "0", "4096");
            data.Add("test", "--crop", "0", "4096");
            data.Add("generate-patches", "--patch-size", "8", "16384");
            data.Add("generate-patches", "--overlap", "0", "16383");
            data.Add("generate-patches", "--center-crop", "0", "16384");
            data.Add("generate-patches", "--workers", "0", $"{MaxThreads}");
            return data;
        }
    }

    static IReadOnlyList<System.CommandLine.Parsing.ParseError> ErrorsFor(string command, string option, string value)
    {
        var root = new RootCommand();
        foreach (var c in AllCommands()) root.Subcommands.Add(c);
        return root.Parse([command, option, value]).Errors.Where(e => e.Message.Contains(option)).ToList();
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void LimitsAreAcceptedAndValuesBeyondAreRefusedWithTheRange(string command, string option, string low, string high)
    {
        Assert.Empty(ErrorsFor(command, option, low));
        Assert.Empty(ErrorsFor(command, option, high));
        // Past the type's own maximum the parser refuses the text itself; integers do not parse NaN at all.
        bool typeMaximum = high == $"{int.MaxValue}" || high == $"{long.MaxValue}";
        foreach (var beyond in new[] { Beyond(low, -1), typeMaximum ? null : Beyond(high, +1), low.Contains('.') ? "NaN" : null }.OfType<string>())
        {
            var errors = ErrorsFor(command, option, beyond);
            Assert.Contains(errors, error => error.Message.Contains($"must be from {low} to {high}"));
        }
    }

    /// <summary>A value just outside a limit: one step for integers, a little for decimals.</summary>
    static string Beyond(string limit, int direction) =>
        limit.Contains('.')
            ? (double.Parse(limit, System.Globalization.CultureInfo.InvariantCulture) * (direction > 0 ? 1.001 : 0.999)).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : (decimal.Parse(limit) + direction).ToString();

    /// <summary>No numeric option of any command takes a large negative value or fails to parse one with a crash.</summary>
    [Fact]
    public void EveryNumericOptionRefusesALargeNegativeValue()
    {
        int checkedOptions = 0;
        foreach (var command in AllCommands())
            foreach (var option in command.Options.Where(o => (Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType) is { IsPrimitive: true } type && type != typeof(bool)))
            {
                Assert.NotEmpty(ErrorsFor(command.Name, option.Name, "-99999999"));
                checkedOptions++;
            }
        Assert.True(checkedOptions >= 30, $"only {checkedOptions} numeric options found");
    }

    [Theory]
    [InlineData("restore", "--threads", "100000")]
    [InlineData("restore", "--threads", "0")]
    [InlineData("restore", "--threads", "-4")]
    [InlineData("serve", "--threads", "0")]
    [InlineData("train", "--threads", "100000")]
    [InlineData("restore", "--self-ensemble", "3")]
    [InlineData("restore", "--tile", "12")]
    public async Task TheIssuesCasesAreOneLineAndExitCode2BeforeAnyWork(string command, string option, string value)
    {
        using var dir = TestPaths.NewTempFolder("faults-options");
        var target = AllCommands().Single(c => c.Name == command);
        string[] required = command switch
        {
            "restore" => ["-i", dir.Path, "-o", dir["out"]],
            "train" => ["--opt", dir["none.yml"]],
            _ => ["--weights-dir", dir.Path, "--port", "0"],
        };
        var result = await Task.Run(() => CliRunner.Run(target, [.. required, option, value])).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.ExitCode);
        // The error is the first line; the command's usage follows it.
        var line = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith($"error: {option} must be", line);
        Assert.Contains($"got {value}", line);
        Assert.Equal([], FaultFiles.Names(dir.Path));
    }

    [Theory]
    [InlineData("--max-pixels", "abc", "a whole number")]  // System.Nullable`1[System.Int64] before
    [InlineData("--quality", "1.5", "a whole number")]
    [InlineData("--memory-budget", "lots", "a number")]
    public void AValueThatIsNotANumberSaysSoWithoutDotNetTypeNames(string option, string value, string what)
    {
        var result = CliRunner.RunApp("restore", "x.png", option, value);
        Assert.Equal(2, result.ExitCode);
        var line = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal($"error: Cannot parse argument '{value}' for option '{option}': it must be {what}.", line);
        Assert.DoesNotContain("System.", result.Err);
    }

    [Fact]
    public void AnOverlapNotSmallerThanTheTileIsRefusedBeforeLoading()
    {
        using var dir = TestPaths.NewTempFolder("faults-overlap");
        var result = CliRunner.Run(RestoreCommand.Create(), "-i", dir.Path, "-o", dir["out"], "--tile", "64", "--tile-overlap", "64");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --tile-overlap (64) must be smaller than --tile (64).", result.Err.Trim());
    }
}

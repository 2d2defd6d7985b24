using System.CommandLine;
using Restormer.Queue;

namespace Restormer.Cli.Commands;

/// <summary>The work-queue options of <c>restore</c>, <c>worker</c> and <c>serve</c> (each adds the ones that concern it).</summary>
public sealed class QueueOptions
{
    /// <summary>Which side of the queue a command is.</summary>
    public enum Role { Submitter, Worker, Serve }

    private static readonly QueueSettings Defaults = new();
    private readonly Option<string?> address = new("--queue") { Description = "Work queue redis://HOST:PORT[/DB]: hand the images to `restormer worker` processes on any machine instead of restoring here." };
    private readonly Option<string?> sharedFolder = new("--shared-folder") { Description = "Pass inputs and results through this folder (mounted at the same path on every machine) instead of Redis." };
    private readonly Option<string?> workerFolder = new("--shared-folder") { Description = "Accept jobs whose inputs and results pass through this folder (the submitters' --shared-folder, at the same path); jobs naming any other folder fail." };
    private readonly Option<double> ttlHours = new Option<double>("--queue-ttl-hours") { Description = "Hours a job, its input and its result stay in the queue when nobody collects them.", DefaultValueFactory = _ => Defaults.TimeToLive.TotalHours }.Within(0.01, 8760.0, "hours");
    private readonly Option<int> inFlight = new Option<int>("--in-flight") { Description = "Jobs submitted but not yet collected, at most (bounds what Redis holds; at least the number of workers).", DefaultValueFactory = _ => 64 }.Within(1, 100000);
    private readonly Option<int> maxAttempts = new Option<int>("--max-attempts") { Description = "Times a job is tried (a worker dying mid-job counts) before it is marked failed with its error.", DefaultValueFactory = _ => Defaults.MaxAttempts }.Within(1, 100);
    private readonly Option<double> visibility = new Option<double>("--visibility-timeout") { Description = "Seconds after which the job of a worker that stopped renewing its claim (crashed, killed) goes to another worker.", DefaultValueFactory = _ => Defaults.VisibilityTimeout.TotalSeconds }.Within(1.0, 86400.0, "seconds");

    /// <summary>Adds the options of <paramref name="role"/>; <c>serve</c> has its own <c>--queue</c> (a number or an address).</summary>
    public void AddTo(Command command, Role role)
    {
        Option[] options = role switch
        {
            Role.Submitter => [address, sharedFolder, ttlHours, inFlight],
            Role.Worker => [address, workerFolder, maxAttempts, visibility],
            _ => [sharedFolder, ttlHours],
        };
        if (role == Role.Worker) address.Required = true;
        foreach (var option in options) command.Options.Add(option);
    }

    /// <summary>The <c>--queue</c> address, or null for a local run.</summary>
    public string? Address(ParseResult parse) => Value(parse, address, null);

    /// <summary>The <c>--in-flight</c> limit.</summary>
    public int InFlight(ParseResult parse)
    {
        int value = Value(parse, inFlight, 64);
        return value >= 1 ? value : throw new ArgumentException($"--in-flight must be at least 1, got {value}.");
    }

    /// <summary>The queue settings; options the command does not have keep their defaults.</summary>
    public QueueSettings Read(ParseResult parse) => new()
    {
        SharedFolder = Value(parse, sharedFolder, null) ?? Value(parse, workerFolder, null),
        TimeToLive = TimeSpan.FromHours(Value(parse, ttlHours, Defaults.TimeToLive.TotalHours)),
        MaxAttempts = Value(parse, maxAttempts, Defaults.MaxAttempts),
        VisibilityTimeout = TimeSpan.FromSeconds(Value(parse, visibility, Defaults.VisibilityTimeout.TotalSeconds)),
    };

    private static T Value<T>(ParseResult parse, Option<T> option, T fallback) =>
        parse.CommandResult.Command.Options.Contains(option) ? parse.GetValue(option)! : fallback;
}

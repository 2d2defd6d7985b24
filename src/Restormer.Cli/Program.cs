using System.CommandLine;
using System.CommandLine.Invocation;
using Restormer.Cli;
using Restormer.Cli.Commands;

var root = new RootCommand("Restormer for .NET: restore photographs (motion/defocus deblurring, deraining, denoising) with the Restormer network.");
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
];
foreach (var command in commands) root.Subcommands.Add(command);
var parse = root.Parse(args);
// Commands whose action takes a cancellation token stop cleanly on Ctrl-C or SIGTERM (Interruption); the others end
// at once, as any program does (train, which saves a state first, handles the signals itself).
if (parse.Action is AsynchronousCommandLineAction) Interruption.Listen();
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, Interruption.Token);

using System.CommandLine;
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
return Restormer.Cli.Cli.Invoke(root, args);

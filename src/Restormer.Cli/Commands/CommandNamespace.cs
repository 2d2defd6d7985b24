namespace Restormer.Cli.Commands;

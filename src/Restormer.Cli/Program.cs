using Restormer.Cli;

return RestormerApp.Run(args);

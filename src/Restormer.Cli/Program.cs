using Restormer.Cli;

return await RestormerApp.RunAsync(args);

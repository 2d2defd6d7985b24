namespace Restormer.Cli;

/// <summary>Console conventions shared by all commands: informational lines to stdout, <c>error: …</c> to stderr, exit codes.</summary>
public static class Cli
{
    /// <summary>Runs a command body, turning the errors a user can cause into one clear line and exit code 2.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Error("cancelled.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException
                                   or NotSupportedException or Restormer.Checkpoints.CheckpointException or Restormer.Model.StateDictMismatchException)
        {
            Error(e.Message);
            return 2;
        }
    }

    public static void Info(string line) => Console.WriteLine(line);

    public static void Error(string message) => Console.Error.WriteLine($"error: {message}");
}

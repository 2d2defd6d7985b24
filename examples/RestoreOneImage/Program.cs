// Restores one photo with the Restormer library:
//   dotnet run --project examples/RestoreOneImage -- blurry.jpg sharp.png [task or weights.pth]
using Restormer.Checkpoints;
using Restormer.Imaging;
using Restormer.Inference;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: RestoreOneImage <input image> <output image: .png, .jpg, .webp or .tif> [task name or weights .pth]");
    Console.Error.WriteLine($"tasks: {string.Join(", ", RestorationTask.All.Select(t => t.Name))}");
    return 2;
}
string input = args[0], output = args[1], model = args.Length == 3 ? args[2] : RestorationTask.MotionDeblurring.Name;

// Ctrl+C stops the restore at the next tile instead of killing the process.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    // Load once, restore many: the weights stay in native memory until the restorer is disposed.
    // Images larger than the memory budget are restored in overlapping tiles, which also gives finer progress.
    using var restorer = Restorer.Load(model, new RestoreOptions { MemoryBudgetBytes = 1L << 30 });
    Console.WriteLine($"Model: {restorer.WeightsPath} ({restorer.Config.Dim} wide, {restorer.Config.InpChannels} channel(s))");

    restorer.Restore(input, output, new ConsoleProgress(), cancel.Token);
    Console.WriteLine($"\nSaved {output}");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("\ncancelled");
    return 130;
}
catch (Exception e) when (e is IOException or CheckpointException or ArgumentException or NotSupportedException)
{
    // ImageReadException (not an image), FileNotFoundException (weights missing: the message says where to put them),
    // CheckpointException (not a Restormer checkpoint): all carry a message meant for the user.
    Console.Error.WriteLine($"\nerror: {e.Message}");
    return e is ImageReadException ? 3 : 2;
}

/// <summary>Prints the fraction done in place. Reported on the restoring thread, so it is written straight away.</summary>
sealed class ConsoleProgress : IProgress<double>
{
    public void Report(double value) => Console.Write($"\rRestoring… {value * 100:F0}%");
}

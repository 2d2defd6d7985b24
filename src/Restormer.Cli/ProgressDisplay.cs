using Spectre.Console;

namespace Restormer.Cli;

/// <summary>
/// A progress bar with the time left on an interactive terminal, plain lines otherwise (logs, CI, pipes), so long runs
/// always show where they are without flooding redirected output with redraws. The library reports progress within
/// each image (every band of the network), so the bar moves even when one image takes minutes.
/// </summary>
public sealed class ProgressDisplay
{
    private readonly ProgressTask? task;
    private readonly Cli cli;
    private readonly Lock gate = new();

    private ProgressDisplay(Cli cli, ProgressTask? task) => (this.cli, this.task) = (cli, task);

    /// <summary>
    /// Runs <paramref name="body"/> with a display whose bar goes from 0 to <paramref name="total"/>; for a
    /// <paramref name="transfer"/> the values are bytes and the bar shows bytes done, speed and time left.
    /// </summary>
    public static void Run(Cli cli, string title, double total, Action<ProgressDisplay> body, bool transfer = false)
    {
        if (!cli.Interactive || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            body(new ProgressDisplay(cli, null));
            return;
        }
        ProgressColumn[] columns = transfer
            ? [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn()]
            : [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()];
        AnsiConsole.Progress().AutoClear(true).HideCompleted(true)
            .Columns(columns)
            .Start(context => body(new ProgressDisplay(cli, context.AddTask(Markup.Escape(title), maxValue: total))));
    }

    public string Description { set { if (task != null) task.Description = Markup.Escape(value); } }

    /// <summary>
    /// The bar's position. It never moves back: reports made on the network's threads and posted through
    /// <see cref="Progress{T}"/> may arrive out of order.
    /// </summary>
    public double Value
    {
        set
        {
            if (task == null) return;
            lock (gate)
                if (value > task.Value) task.Value = value;
        }
    }

    /// <summary>Changes where the bar ends (a download's size is known only once the server answers).</summary>
    public double Maximum { set { if (task != null) task.MaxValue = value; } }

    /// <summary>True when a live bar is shown; otherwise the caller reports progress with <see cref="Line"/> now and then.</summary>
    public bool Live => task != null;

    /// <summary>A permanent line above the bar (or a plain line when not interactive).</summary>
    public void Line(string text)
    {
        text = Cli.OneLine(text);
        if (task != null) AnsiConsole.MarkupLine(Markup.Escape(text));
        else cli.Info(text);
    }
}

using Spectre.Console;

namespace Restormer.Cli;

/// <summary>
/// A progress bar on an interactive terminal, plain lines otherwise (logs, CI, pipes), so long runs always show
/// where they are without flooding redirected output with redraws.
/// </summary>
public sealed class ProgressDisplay
{
    private readonly ProgressTask? task;

    private ProgressDisplay(ProgressTask? task) => this.task = task;

    /// <summary>Runs <paramref name="body"/> with a display whose bar goes from 0 to <paramref name="total"/>.</summary>
    public static void Run(string title, double total, Action<ProgressDisplay> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            body(new ProgressDisplay(null));
            return;
        }
        AnsiConsole.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context => body(new ProgressDisplay(context.AddTask(Markup.Escape(title), maxValue: total))));
    }

    public string Description { set { if (task != null) task.Description = Markup.Escape(value); } }

    public double Value { set { if (task != null) task.Value = value; } }

    /// <summary>A permanent line above the bar (or a plain line when not interactive).</summary>
    public void Line(string text)
    {
        if (task != null) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }
}

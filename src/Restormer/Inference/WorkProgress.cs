namespace Restormer.Inference;

/// <summary>
/// How far one restore has got through its network passes (the whole image, or each tile), counted in
/// multiply–accumulates (<see cref="ModelCost"/>) so that a bar moves at the pace of the work and its ETA holds; and
/// whether it should stop. The engine adds every band it finishes and the module's forward every Transformer block,
/// from any thread; <see cref="EndPass"/> settles each pass at its exact share, so the operations that are not
/// counted as they run only make the bar step forward. Reports never go back, are at least 0.1 % apart, and end at 1.
/// </summary>
internal sealed class WorkProgress(IProgress<double>? sink, int passes, double macsPerPass, CancellationToken cancellation)
{
    private const double Step = 0.001;
    private readonly object gate = new();
    private double done, reported;
    private int ended;

    /// <summary>Nothing to report to and no way to stop: for callers that want neither.</summary>
    public static readonly WorkProgress None = new(null, 1, 1, CancellationToken.None);

    /// <summary>True once the caller has asked to stop; work in progress should end at its next band or block.</summary>
    public bool IsCancellationRequested => cancellation.IsCancellationRequested;

    /// <summary>Throws <see cref="OperationCanceledException"/> once the caller has asked to stop.</summary>
    public void ThrowIfCancellationRequested() => cancellation.ThrowIfCancellationRequested();

    /// <summary>Adds work finished in the current pass (never past the pass's end).</summary>
    public void Add(double macs)
    {
        if (sink is null) return;
        lock (gate)
        {
            done = Math.Min(done + macs, (ended + 1) * macsPerPass);
            Report();
        }
    }

    /// <summary>Ends the current pass: the work done is now exactly its share.</summary>
    public void EndPass()
    {
        if (sink is null) return;
        lock (gate)
        {
            ended = Math.Min(ended + 1, passes);
            done = ended * macsPerPass;
            Report();
        }
    }

    private void Report()
    {
        double fraction = ended == passes ? 1 : done / (passes * macsPerPass);
        if (fraction - reported < Step && !(fraction == 1 && reported < 1)) return;
        reported = fraction;
        sink!.Report(fraction);
    }
}

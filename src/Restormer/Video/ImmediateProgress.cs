namespace Restormer.Video;

/// <summary>
/// Passes each report on at once, on the reporting thread: <see cref="Progress{T}"/> posts reports to the thread pool,
/// where they can arrive out of order and after the work has ended.
/// </summary>
public sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

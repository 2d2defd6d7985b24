namespace Restormer.Queue;

/// <summary>
/// Redis stayed unreachable for longer than <see cref="QueueSettings.OutageTolerance"/>. Unlike a failure of one job,
/// this stops a worker: no other job can be taken either.
/// </summary>
public sealed class QueueUnavailableException(string message, Exception inner) : IOException(message, inner);

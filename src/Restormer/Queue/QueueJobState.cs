namespace Restormer.Queue;

/// <summary>Where a queued job is in its life; stored lower-case in the job's hash (<c>state</c>).</summary>
public enum QueueJobState { Queued, Running, Done, Failed, Cancelled }

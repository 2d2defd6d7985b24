namespace Restormer.Downloads;

/// <summary>Where a download stands: bytes on disk (resumed ones included), the total when the server said, and the bytes resumed from an earlier attempt.</summary>
public readonly record struct DownloadProgress(long Done, long? Total, long ResumedFrom);

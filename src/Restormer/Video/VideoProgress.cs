namespace Restormer.Video;

/// <summary>
/// Where a clip's restoration stands: <see cref="Frames"/> restored of <see cref="FrameCount"/> (with the fraction of
/// the frame in work, so a bar moves within long frames), <see cref="Resumed"/> of them by an earlier, interrupted
/// run; <see cref="Encoding"/> once every frame is restored and the output is being written.
/// </summary>
public readonly record struct VideoProgress(double Frames, int FrameCount, int Resumed, bool Encoding);

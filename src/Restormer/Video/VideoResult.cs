namespace Restormer.Video;

/// <summary>What a clip's restoration did: its frames, how many an earlier interrupted run had restored, and what could not be kept.</summary>
public sealed record VideoResult(int Frames, int Resumed, IReadOnlyList<string> Warnings);

namespace Restormer.Video;

/// <summary>How a restored clip is encoded.</summary>
public sealed record VideoSaveOptions
{
    /// <summary>The codec; null picks H.264 (VP9 for .webm, see <see cref="VideoContainers.DefaultCodec"/>).</summary>
    public VideoCodec? Codec { get; init; }

    /// <summary>1–100, as for JPEG, mapped to the codec's constant quality (<see cref="VideoCodecs.Crf"/>); FFV1 is lossless and ignores it.</summary>
    public int Quality { get; init; } = 95;

    /// <summary>The codec for <paramref name="output"/>.</summary>
    public VideoCodec CodecFor(string output) => Codec ?? VideoContainers.DefaultCodec(output);

    /// <summary>Throws <see cref="ArgumentException"/> naming the fix when these options cannot write <paramref name="output"/>.</summary>
    public void Validate(string output)
    {
        if (Quality is < 1 or > 100) throw new ArgumentException($"The video quality must be from 1 to 100, got {Quality}.");
        VideoContainers.Check(output, CodecFor(output));
    }
}

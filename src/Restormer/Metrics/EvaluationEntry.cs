using OpenCvSharp;

namespace Restormer.Metrics;

/// <summary>One evaluated pair: its scores, or why it could not be measured (sizes differ, unreadable file).</summary>
public sealed record EvaluationEntry(string Name, ImageScores? Scores, string? Error)
{
    /// <summary>Measures one pair with every convention (<see cref="EvaluationProtocol.Default"/>).</summary>
    public static EvaluationEntry Measure(ImagePair pair, int cropBorder, bool yChannel) =>
        Measure(pair, EvaluationProtocol.Default(cropBorder, yChannel));

    /// <summary>
    /// Reads and measures one pair under <paramref name="protocol"/>; a failure that concerns this pair only becomes <see cref="Error"/> so that the
    /// other pairs are still evaluated.
    /// </summary>
    public static EvaluationEntry Measure(ImagePair pair, EvaluationProtocol protocol)
    {
        try
        {
            var scores = protocol.Measure(MetricImage.Read(pair.RestoredPath), MetricImage.Read(pair.ReferencePath));
            return new EvaluationEntry(pair.Name, scores, null);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or OpenCVException)
        {
            return new EvaluationEntry(pair.Name, null, e.Message);
        }
    }
}

using OpenCvSharp;

namespace Restormer.Metrics;

/// <summary>One evaluated pair: its scores, or why it could not be measured (sizes differ, unreadable file).</summary>
public sealed record EvaluationEntry(string Name, ImageScores? Scores, string? Error)
{
    /// <summary>
    /// Reads and measures one pair; a failure that concerns this pair only becomes <see cref="Error"/> so that the
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

namespace Restormer.Training.Data;

/// <summary>
/// Implemented by a training set whose degradation is applied to the cut and augmented patch rather than to the full
/// image (the reference adds synthetic noise this way); far cheaper on large images.
/// </summary>
public interface IPatchDegradation
{
    /// <summary>Degrades the input patch in place; randomness only from <paramref name="rng"/>.</summary>
    void DegradePatch(PlanarImage lq, Random rng);
}

namespace Restormer.IO;

/// <summary>What a run does about output files that exist before it starts.</summary>
public enum ExistingOutputs
{
    /// <summary>Stop before any work, naming them (the default: nothing is replaced silently).</summary>
    Refuse,
    /// <summary>Replace them.</summary>
    Overwrite,
    /// <summary>Keep them and restore only the images whose output is missing.</summary>
    Skip,
}

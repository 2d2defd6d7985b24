namespace Restormer.Training.Options;

/// <summary>The <c>train.mixing_augs</c> section (Mixing_Augment of the reference).</summary>
public sealed record MixupOptions
{
    /// <summary>Mix each batch with a shuffled copy of itself (<c>mixup</c>).</summary>
    public bool Enabled { get; init; }
    /// <summary>Both parameters of the Beta distribution the mixing weight is drawn from (<c>mixup_beta</c>).</summary>
    public double Beta { get; init; } = 1.2;
    /// <summary>Leave the batch unmixed half of the time (<c>use_identity</c>).</summary>
    public bool UseIdentity { get; init; }

    internal static MixupOptions Parse(OptionMap map) => new()
    {
        Enabled = map.Get("mixup", false),
        Beta = map.Get("mixup_beta", 1.2),
        UseIdentity = map.Get("use_identity", false),
    };
}

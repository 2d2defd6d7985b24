namespace Restormer.Training.Options;

/// <summary>The <c>train.optim_g</c> section.</summary>
public sealed record OptimizerSettings
{
    /// <summary><c>AdamW</c> (Restormer) or <c>Adam</c>.</summary>
    public string Type { get; init; } = "AdamW";
    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; }
    /// <summary>Decoupled weight decay (AdamW) or L2 penalty (Adam).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Adam's beta1 and beta2.</summary>
    public double[] Betas { get; init; } = [0.9, 0.999];
    /// <summary>Adam's epsilon.</summary>
    public double Eps { get; init; } = 1e-8;

    internal static OptimizerSettings Parse(OptionMap map)
    {
        var type = map.Require<string>("type");
        if (type is not ("AdamW" or "Adam"))
            throw new OptionException($"{map.Source}: optimiser '{map.PathOf("type")}: {type}' is not supported; use AdamW (as Restormer) or Adam.");
        var settings = new OptimizerSettings
        {
            Type = type,
            LearningRate = map.Require<double>("lr"),
            WeightDecay = map.Get("weight_decay", type == "AdamW" ? 1e-2 : 0.0),
            Betas = map.Get("betas", new[] { 0.9, 0.999 }),
            Eps = map.Get("eps", 1e-8),
        };
        if (settings.Betas.Length != 2)
            throw new OptionException($"{map.Source}: '{map.PathOf("betas")}' must be two numbers like [0.9, 0.999].");
        if (settings.LearningRate <= 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("lr")}' must be positive.");
        return settings;
    }
}

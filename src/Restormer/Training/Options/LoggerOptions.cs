namespace Restormer.Training.Options;

/// <summary>The <c>logger</c> section: how often to log and to save checkpoints, and whether to write TensorBoard files.</summary>
public sealed record LoggerOptions
{
    /// <summary>Log loss and learning rate every this many iterations (<c>print_freq</c>).</summary>
    public int PrintFrequency { get; init; } = 100;
    /// <summary>Save <c>net_g_&lt;iter&gt;.pth</c> and a training state every this many iterations (<c>save_checkpoint_freq</c>).</summary>
    public int CheckpointFrequency { get; init; } = 5000;
    /// <summary>Also write TensorBoard event files to <c>tb_logger/&lt;name&gt;/</c> (<c>use_tb_logger</c>).</summary>
    public bool UseTensorBoard { get; init; }

    internal static LoggerOptions Parse(OptionMap? map)
    {
        if (map is null)
            return new LoggerOptions();
        map.Accept("wandb");
        var options = new LoggerOptions
        {
            PrintFrequency = map.Get("print_freq", 100),
            CheckpointFrequency = map.Get("save_checkpoint_freq", 5000),
            UseTensorBoard = map.Get("use_tb_logger", false),
        };
        if (options.PrintFrequency <= 0 || options.CheckpointFrequency <= 0)
            throw new OptionException($"{map.Source}: '{map.PathOf("print_freq")}' and '{map.PathOf("save_checkpoint_freq")}' must be at least 1.");
        return options;
    }
}

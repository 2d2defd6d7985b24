namespace Restormer.Model;

/// <summary>
/// A strict load found tensors the network lacks, lacked tensors it has, or shapes that differ. The message lists the
/// first few of each kind with their counts, as PyTorch's <c>load_state_dict</c> does.
/// </summary>
public sealed class StateDictMismatchException(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    : Exception(Describe(missing, unexpected, mismatched))
{
    /// <summary>Parameter names the network has but the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
    /// <summary>Tensor names in the checkpoint that the network does not have.</summary>
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
    /// <summary>Names present in both with different shapes.</summary>
    public IReadOnlyList<string> Mismatched { get; } = mismatched;

    private static string Describe(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var parts = new List<string>();
        void Add(string what, IReadOnlyList<string> names)
        {
            if (names.Count == 0) return;
            var shown = string.Join(", ", names.Take(5).Select(ArchitectureInference.Abbreviate));
            parts.Add($"{names.Count} {what}: {shown}{(names.Count > 5 ? $", … ({names.Count - 5} more)" : "")}");
        }
        Add("missing", missing);
        Add("unexpected", unexpected);
        Add("with a different shape", mismatched);
        return "The checkpoint does not match the network. " + string.Join("; ", parts) + ".";
    }
}

using System.IO.Hashing;
using System.Text;
using Restormer.IO;

namespace Restormer.Queue;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a batch, for batch schedulers (a Kubernetes Indexed Job, a Slurm
/// array) that start N copies of one command: each input belongs to the part given by a hash of its path relative to
/// the input folder (see <see cref="Holds"/>), so the split is the same on every machine and every rerun, whatever the listing order, and an
/// input added later does not move the others.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>Parses <c>K/N</c> (0 ≤ K &lt; N); throws <see cref="ArgumentException"/> saying the expected form.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count) || count < 1 || index < 0 || index >= count)
            throw new ArgumentException($"--shard must be K/N with 0 <= K < N (for example 0/4 … 3/4, as $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID), got '{text}'.");
        return new Shard(index, count);
    }

    /// <summary>The part a key (an input's relative path, '/'-separated) belongs to.</summary>
    public static int PartOf(string key, int count) => (int)(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)) % (ulong)count);

    /// <summary>
    /// Whether <paramref name="input"/> falls into this part, keyed on its path relative to the folder it was found in
    /// (<see cref="InputFile.RelativePath"/>), which is the same on every machine.
    /// </summary>
    public bool Holds(InputFile input) => PartOf(input.RelativePath.Replace('\\', '/'), Count) == Index;

    public override string ToString() => $"{Index}/{Count}";
}

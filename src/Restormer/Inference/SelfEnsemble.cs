using Restormer.Interop;
using static TorchSharp.torch;

namespace Restormer.Inference;

/// <summary>
/// Geometric self-ensemble (Lim et al., "Enhanced Deep Residual Networks", 2017, their "+" models): restore flipped
/// and transposed copies of the image, undo each transform on the output and average. The network is not equivariant
/// to these transforms, so the copies err differently and their mean is closer to the truth, at the price of one
/// pass per copy. Not part of the Restormer paper's evaluation; an opt-in for the last fraction of a dB.
/// </summary>
public static class SelfEnsemble
{
    /// <summary>The copy counts accepted: 1 (off), 2 (+ mirror), 4 (+ upside down, both), 8 (+ the four transposed).</summary>
    public static readonly IReadOnlyList<int> Sizes = [1, 2, 4, 8];

    /// <summary>Throws unless <paramref name="copies"/> is one of <see cref="Sizes"/>.</summary>
    public static void Validate(int copies)
    {
        if (!Sizes.Contains(copies))
            throw new ArgumentException($"Self-ensemble takes 1 (off), 2, 4 or 8 copies, not {copies}.");
    }

    /// <summary>
    /// Averages <paramref name="restore"/> over the first <paramref name="copies"/> of the eight flips/transposes of a
    /// 1×C×H×W <paramref name="input"/>. <paramref name="restore"/> gets each copy and a progress sink for its share.
    /// </summary>
    public static Tensor Average(Tensor input, int copies, Func<Tensor, IProgress<double>?, Tensor> restore,
        IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        Validate(copies);
        return copies == 1 ? restore(input, progress) : GcPause.Run(() => Sum(input, copies, restore, progress, cancellation).div_(copies));
    }

    private static Tensor Sum(Tensor input, int copies, Func<Tensor, IProgress<double>?, Tensor> restore,
        IProgress<double>? progress, CancellationToken cancellation)
    {
        Tensor? sum = null;
        try
        {
            for (int k = 0; k < copies; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                var share = progress is null ? null : new Share(progress, k, copies);
                using var copy = Apply(input, k);
                using var restored = restore(copy, share);
                using var back = Undo(restored, k);
                if (sum is null) sum = back.clone();
                else sum.add_(back);
            }
            return sum!;
        }
        catch
        {
            sum?.Dispose(); // cancelled or failed part-way: free the partial sum now, not at finalization
            throw;
        }
    }

    /// <summary>Transform <paramref name="k"/> (0–7): bit 0 mirrors left-right, bit 1 upside down, bit 2 transposes.</summary>
    public static Tensor Apply(Tensor image, int k)
    {
        using var flipped = Flip(image, k);
        return (k & 4) != 0 ? flipped.transpose(2, 3).contiguous() : flipped.alias();
    }

    /// <summary>The inverse of <see cref="Apply"/>: transpose back first, then flip (each step is its own inverse).</summary>
    public static Tensor Undo(Tensor image, int k)
    {
        using var transposed = (k & 4) != 0 ? image.transpose(2, 3) : image.alias();
        return Flip(transposed, k).contiguous();
    }

    private static Tensor Flip(Tensor image, int k)
    {
        var dims = new List<long>(2);
        if ((k & 1) != 0) dims.Add(3);
        if ((k & 2) != 0) dims.Add(2);
        return dims.Count == 0 ? image.alias() : image.flip([.. dims]);
    }

    /// <summary>Maps one copy's progress in [0,1] onto its slice of the whole.</summary>
    private sealed class Share(IProgress<double> whole, int index, int count) : IProgress<double>
    {
        public void Report(double value) => whole.Report((index + value) / count);
    }
}

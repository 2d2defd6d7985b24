using System.Runtime;

namespace Restormer.Interop;

/// <summary>
/// Runs work with the .NET garbage collector paused, to keep TorchSharp's temporary scalars alive while libtorch reads
/// them. TorchSharp 0.107 hands a <see cref="TorchSharp.Scalar"/>'s native handle to libtorch without keeping the
/// object reachable, and every implicit conversion (<c>x + 1e-5</c>, the <c>alpha</c> of each add and subtract, the
/// optimiser's step sizes) makes such a scalar. When a collection started by another thread lands inside the native
/// call, the finalizer frees the scalar while libtorch still uses it: a wrong value, an "Expected false to be true"
/// error from <c>c10::Scalar::toFloat</c>, or a crash (a training run stopped that way after 1,200 steps). With no
/// collection inside the block, the scalars it makes can only be finalized after it ends, when nothing reads them.
/// </summary>
public static class GcPause
{
    /// <summary>Managed bytes that may be allocated (by any thread) inside a block before the runtime collects anyway.</summary>
    public const long Budget = 64L << 20;

    /// <summary>Runs <paramref name="work"/> with collections paused (inside the pause of another thread's block when one is already running, so protected only until that block ends).</summary>
    public static void Run(Action work) => Run(() => { work(); return 0; });

    /// <inheritdoc cref="Run(Action)"/>
    public static T Run<T>(Func<T> work)
    {
        bool paused = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && TryPause();
        try
        {
            return work();
        }
        finally
        {
            // A block that allocated more than the budget has already been collected and the pause is over.
            if (paused && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try { GC.EndNoGCRegion(); }
                catch (InvalidOperationException) { }
            }
        }
    }

    private static bool TryPause()
    {
        try
        {
            return GC.TryStartNoGCRegion(Budget);
        }
        catch (InvalidOperationException)
        {
            return false; // another thread started a pause between the check and the call
        }
    }
}

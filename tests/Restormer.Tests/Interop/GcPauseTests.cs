using System.Runtime;
using Restormer.Interop;
using static TorchSharp.torch;

namespace Restormer.Tests.Interop;

/// <summary>The pause is process-wide, so these tests run alone, not beside tests that restore or train.</summary>
[Collection(nameof(RunsAlone))]
public class GcPauseTests
{
    [Fact]
    public void NoCollectionHappensInsideABlock()
    {
        int before = 0, after = 0;
        GcPause.Run(() =>
        {
            before = GC.CollectionCount(0);
            for (int i = 0; i < 10_000; i++) GC.KeepAlive(new byte[1000]); // 10 MB, well inside the budget
            after = GC.CollectionCount(0);
        });
        Assert.Equal(before, after);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void NestedBlocksAndExceptionsLeaveTheCollectorRunning()
    {
        Assert.Equal(42, GcPause.Run(() => GcPause.Run(() => 42)));
        Assert.Throws<InvalidOperationException>(() => GcPause.Run(() => throw new InvalidOperationException("inner")));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void ABlockThatOutgrowsTheBudgetEndsCleanly()
    {
        GcPause.Run(() => { for (int i = 0; i < 100; i++) GC.KeepAlive(new byte[2 << 20]); }); // 200 MB > budget
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    /// <summary>
    /// The failure it prevents: implicit scalars (x + 1e-5, the alpha of every add) finalized by a collection that
    /// another thread triggers while libtorch reads them. Unguarded, this loop failed after about 250,000 operations
    /// ("Expected false to be true" or "Unknown scalar type"); guarded, every value stays right.
    /// </summary>
    [Fact]
    public void ScalarArithmeticStaysCorrectWhileAnotherThreadAllocates()
    {
        using var x = ones(8, 8);
        bool stop = false;
        var churn = new Thread(() =>
        {
            var keep = new object[64];
            for (int i = 0; !Volatile.Read(ref stop); i++)
            {
                keep[i & 63] = new byte[100_000];
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        churn.Start();
        try
        {
            for (int block = 0; block < 300; block++)
            {
                float value = GcPause.Run(() =>
                {
                    float last = 0;
                    for (int k = 0; k < 1000; k++)
                    {
                        using var scope = NewDisposeScope();
                        last = ((x + 1e-5) * 2.0 - 1.0)[0, 0].item<float>();
                    }
                    return last;
                });
                Assert.Equal(1.00002f, value, 1e-6f);
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            churn.Join();
        }
    }
}

using Restormer.Engine;
using static TorchSharp.torch;

namespace Restormer.Tests.Engine;

/// <summary>
/// Each stripe worker runs libtorch on one thread: the workers are the parallelism. A worker whose operations fanned
/// out to an OpenMP team of its own put four busy threads on two cores (measured: 4.8 CPU seconds per 256² image
/// instead of 3.6–4.5).
/// </summary>
public sealed class StripeWorkersTests
{
    [Fact]
    public void WorkersStayOnOneLibtorchThreadAfterTheirFirstParallelOperation()
    {
        int caller = get_num_threads();
        set_num_threads(2);
        try
        {
            using var workers = new StripeWorkers(2);
            Assert.Equal(2, get_num_threads()); // the caller's own count is left as it was
            var seen = new int[2];
            workers.Run(2, i =>
            {
                // Large enough for libtorch's parallel_for, which is where a thread's team size is first set.
                using var x = ones(1 << 18);
                x.mul_(x);
                seen[i] = get_num_threads();
            });
            Assert.Equal([1, 1], seen);
        }
        finally
        {
            set_num_threads(caller);
        }
    }
}

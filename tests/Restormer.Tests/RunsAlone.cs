namespace Restormer.Tests;

/// <summary>
/// Tests that depend on process-wide state run in this collection, alone, after the parallel ones: the garbage
/// collector's pause, and libtorch's intra-op thread count (the engine's stripe workers change it while they run,
/// and a different count reorders float sums, which Adam turns into visibly different weights within a few steps).
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public class RunsAlone;

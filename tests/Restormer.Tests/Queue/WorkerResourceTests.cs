using OpenCvSharp;
using Restormer.Inference;
using Restormer.Queue;
using Xunit.Abstractions;

namespace Restormer.Tests.Queue;

/// <summary>What a long-running worker holds: loaded models and scratch folders, against a real redis-server.</summary>
public class WorkerResourceTests(ITestOutputHelper output)
{
    private static readonly QueueSettings Fast = new() { VisibilityTimeout = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(50) };

    [SkippableFact]
    public void OptionSetsBeyondTheLimitUnloadTheLeastRecentlyUsedModel()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var folder = TestPaths.NewTempFolder("queue-models");
        var image = File.ReadAllBytes(QueueImages.Write(folder.Path, 1, new Size(24, 16))[0]);
        using var queue = WorkQueue.Connect(redis.Url, Fast);
        var lines = new List<string>();
        using var worker = new QueueWorker(queue, new RestoreOptions(), "lru-worker", line => { lines.Add(line); output.WriteLine(line); }, maxModels: 2);

        // The reported growth: one model per --tile value. Here 16 and 24 stay while they are used; 32 unloads 24, 40 unloads 16.
        int[] tiles = [16, 24, 16, 16, 32, 40, 40, 16];
        foreach (var tile in tiles)
        {
            var job = queue.Submit(QueueImages.TinyWeights, $"tile{tile}.png", image, new RestoreOptions { TileSize = tile, TileOverlap = 0 });
            Assert.True(worker.TryRunOne());
            Assert.Equal(QueueJobState.Done, queue.Find(job.Id)!.State);
            Assert.InRange(worker.LoadedModels, 1, 2);
        }
        Assert.Equal(2, worker.LoadedModels);
        // Loads: 16, 24, 32, 40 and 16 again (unloaded by 40); the repeated 16s and 40 reused what was loaded.
        Assert.Equal(5, lines.Count(l => l.StartsWith("loaded ")));
    }
}

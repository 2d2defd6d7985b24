using System.Diagnostics;
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

    [SkippableFact]
    public void AStartingWorkerDeletesTheScratchFoldersOfKilledWorkersAndKeepsLiveOnes()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        // A process that has ended: its id names no running process (until the system reuses it).
        using var ended = Process.Start("true")!;
        ended.WaitForExit();
        var temp = Path.GetTempPath();
        var killed = Directory.CreateDirectory(Path.Combine(temp, $"restormer-worker-{ended.Id}-0badf00d", "3f2a9c")).Parent!.FullName;
        File.WriteAllBytes(Path.Combine(killed, "3f2a9c", "photo.png"), new byte[4096]);
        var live = Directory.CreateDirectory(Path.Combine(temp, $"restormer-worker-{Environment.ProcessId}-5eed1e55")).FullName;
        var unrelated = Directory.CreateDirectory(Path.Combine(temp, "restormer-worker-notes")).FullName;
        try
        {
            using var queue = WorkQueue.Connect(redis.Url, Fast);
            using (new QueueWorker(queue, new RestoreOptions(), "sweeper"))
            {
                Assert.False(Directory.Exists(killed));
                Assert.True(Directory.Exists(live));
                Assert.True(Directory.Exists(unrelated));
            }
        }
        finally
        {
            TestPaths.TryDelete(killed);
            TestPaths.TryDelete(live);
            TestPaths.TryDelete(unrelated);
        }
    }
}

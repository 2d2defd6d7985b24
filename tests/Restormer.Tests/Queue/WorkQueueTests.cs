using OpenCvSharp;
using Restormer.Inference;
using Restormer.Queue;
using Xunit.Abstractions;

namespace Restormer.Tests.Queue;

/// <summary>The work queue against a real redis-server, with an in-process worker.</summary>
public class WorkQueueTests(ITestOutputHelper output)
{
    private static readonly QueueSettings Fast = new() { VisibilityTimeout = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(50) };

    private static QueueJob WaitFor(WorkQueue queue, string id, Func<QueueJob, bool> done, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (queue.Find(id) is { } job && done(job)) return job;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"Job {id} did not reach the expected state within {seconds} s: {queue.Find(id)}");
    }

    [SkippableFact]
    public void ARedisRestartWithAppendOnlyPersistenceLosesNoAcceptedJob()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer(appendOnly: true);
        var folder = TestPaths.NewTempDir("queue-restart");
        try
        {
            var images = QueueImages.Write(folder, 8, new Size(40, 32));
            using var queue = WorkQueue.Connect(redis.Url, Fast);
            var jobs = images.Select(p => queue.Submit(QueueImages.TinyWeights, Path.GetFileName(p), File.ReadAllBytes(p), new RestoreOptions())).ToList();
            redis.Restart(); // SIGKILL right after the jobs were accepted

            using var worker = new QueueWorker(queue, new RestoreOptions(), "restart-worker", output.WriteLine);
            using var stop = new CancellationTokenSource();
            var working = Task.Run(() => worker.Run(stop.Token));
            WaitFor(queue, jobs[0].Id, j => j.State == QueueJobState.Done);
            redis.Restart(); // and again while the worker is busy
            var finished = jobs.Select(j => WaitFor(queue, j.Id, j => j.IsFinished)).ToList();
            stop.Cancel();
            working.Wait();

            using var local = Restorer.Load(QueueImages.TinyWeights);
            foreach (var (job, image) in finished.Zip(images))
            {
                Assert.Equal(QueueJobState.Done, job.State);
                var expected = Path.Combine(folder, "expected-" + Path.GetFileName(image));
                local.Restore(image, expected);
                Assert.Equal(File.ReadAllBytes(expected), queue.Result(job));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void APoisonJobEndsFailedWithItsErrorAfterTheAttemptLimitAndTheRestStillRun()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        var folder = TestPaths.NewTempDir("queue-poison");
        try
        {
            var good = QueueImages.Write(folder, 1, new Size(24, 16))[0];
            using var queue = WorkQueue.Connect(redis.Url, Fast with { MaxAttempts = 3 });
            var poison = queue.Submit(QueueImages.TinyWeights, "broken.png", [0x89, 0x50, 0x4E, 0x47, 0, 1, 2, 3], new RestoreOptions());
            var fine = queue.Submit(QueueImages.TinyWeights, "good.png", File.ReadAllBytes(good), new RestoreOptions());
            using var worker = new QueueWorker(queue, new RestoreOptions(), "poison-worker", output.WriteLine);
            int taken = 0;
            while (worker.TryRunOne()) taken++;

            var failed = queue.Find(poison.Id)!;
            Assert.Equal(QueueJobState.Failed, failed.State);
            Assert.Equal(3, failed.Attempts);
            Assert.Contains("Cannot read 'broken.png'", failed.Error);
            Assert.Equal(QueueJobState.Done, queue.Find(fine.Id)!.State);
            Assert.Equal(4, taken); // three tries of the poison, one of the good image; then the queue is empty
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void AJobWhoseWorkersKeepDyingIsReclaimedThenFailedAtTheLimit()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var queue = WorkQueue.Connect(redis.Url, Fast with { MaxAttempts = 2 });
        var job = queue.Submit(QueueImages.TinyWeights, "crashes-workers.png", [1, 2, 3], new RestoreOptions());
        // Two workers take it and die without a word (no renewal, no acknowledgement).
        foreach (var dead in new[] { "dead-1", "dead-2" })
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            Delivery? delivery;
            while ((delivery = queue.Take(dead)) is null && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Assert.Equal(job.Id, delivery?.JobId);
            Assert.NotNull(queue.BeginAttempt(queue.Find(job.Id)!, dead));
        }
        Thread.Sleep(Fast.VisibilityTimeout + TimeSpan.FromMilliseconds(200));
        using var worker = new QueueWorker(queue, new RestoreOptions(), "survivor");
        Assert.True(worker.TryRunOne());
        var failed = queue.Find(job.Id)!;
        Assert.Equal(QueueJobState.Failed, failed.State);
        Assert.Contains("gave up after 2 attempts", failed.Error);
        Assert.False(worker.TryRunOne());
    }

    [Theory]
    [InlineData("localhost:6379")]
    [InlineData("http://host:6379")]
    [InlineData("redis://host:6379/x")]
    public void AMalformedQueueAddressIsRefusedWithTheExpectedForm(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => QueueAddress.Parse(url));
        Assert.Contains("redis://HOST:PORT[/DB]", e.Message);
    }
}

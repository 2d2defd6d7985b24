using OpenCvSharp;
using Restormer.Inference;
using Restormer.Queue;
using Restormer.Tests.Queue;

namespace Restormer.Tests.Serve;

/// <summary><c>serve --queue</c>: the page's uploads are restored by a worker of the work queue, not by the server.</summary>
public class ServeQueueTests
{
    [SkippableFact]
    public async Task AnUploadIsRestoredByAQueueWorkerIntoThePngTheLibraryGives()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        await using var test = await ServeTestServer.StartAsync(options => options with
        {
            QueueAddress = redis.Url,
            Queue = new QueueSettings { PollInterval = TimeSpan.FromMilliseconds(50) },
        });
        var photo = ServeTestServer.SmallPhoto();
        var id = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;

        // Nothing restores it until a worker, with the same models folder, is started (the page shows it handed on, at 0 %).
        await Task.Delay(500);
        var waiting = await test.WaitForAsync(id, _ => true);
        Assert.Contains(waiting.GetProperty("state").GetString(), new[] { "queued", "running" });
        Assert.Equal(0.0, waiting.GetProperty("progress").GetDouble());
        Assert.Empty(test.Server.Models.LoadedPaths);
        using var queue = WorkQueue.Connect(redis.Url);
        using var worker = new QueueWorker(queue, new RestoreOptions(), "page-worker", models: new ModelStore(test.ModelsFolder));
        using var stop = new CancellationTokenSource();
        var working = Task.Run(() => worker.Run(stop.Token));
        var done = await test.WaitUntilFinishedAsync(id);
        stop.Cancel();
        await working;

        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Empty(test.Server.Models.LoadedPaths);
        var restored = await test.Http.GetByteArrayAsync(done.GetProperty("result_url").GetString());
        var folder = TestPaths.NewTempDir("serve-queue");
        try
        {
            var expectedPath = Path.Combine(folder, "expected.png");
            using (var restorer = Restorer.Load(ServeTestServer.TinyWeights))
                restorer.Restore(photo, expectedPath);
            using var actual = Cv2.ImDecode(restored, ImreadModes.Unchanged);
            using var expected = Cv2.ImRead(expectedPath, ImreadModes.Unchanged);
            Assert.Equal(0, Cv2.Norm(expected, actual, NormTypes.INF));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(Path.GetDirectoryName(photo)!, recursive: true);
        }
    }
}

using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Restormer.Tests.Queue;

/// <summary>The whole queue mode with real processes: three <c>restormer worker</c>s and a <c>restormer restore --queue</c>.</summary>
[Collection(nameof(RunsAlone))] // five CLI processes on a 2-core machine: not beside the parallel tests
public class QueueWorkersTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ThreeWorkersOneKilledMidJobAllThirtyResultsOnceAndIdenticalToALocalRun()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        var root = TestPaths.NewTempDir("queue-workers");
        var workers = new List<CliProcess>();
        try
        {
            var input = Path.Combine(root, "in");
            // Big enough that a job runs for a while: at 96×64 a worker finished jobs in under 10 ms, between two polls.
            QueueImages.Write(input, 30, new Size(384, 256));
            var local = CliRunner.Run(RestoreCommand.Create(), "--weights", QueueImages.TinyWeights, "-i", input, "-o", Path.Combine(root, "local"));
            Assert.True(local.ExitCode == 0, local.Err + local.Out);

            for (int i = 1; i <= 3; i++)
                workers.Add(new CliProcess(Path.Combine(root, "tmp"), "worker", "--queue", redis.Url, "--visibility-timeout", "2", "--name", $"worker-{i}"));
            var remote = Path.Combine(root, "remote");
            using var submitter = new CliProcess(Path.Combine(root, "tmp"), "restore", "--queue", redis.Url, "--weights", QueueImages.TinyWeights, "-i", input, "-o", remote);

            // Kill worker-1 with SIGKILL while its job's hash says it is restoring it.
            using var watch = ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port}");
            var killed = KillMidJob(watch, workers[0], "worker-1");
            int exit = submitter.WaitForExit(TimeSpan.FromSeconds(240));

            output.WriteLine($"$ restormer restore --queue {redis.Url} --weights tiny_withbias.pth -i in/ -o remote/   (exit {exit})");
            output.WriteLine(submitter.Output);
            for (int i = 0; i < 3; i++)
                output.WriteLine($"--- worker-{i + 1}{(i == 0 ? " (killed with SIGKILL mid-job)" : "")}:\n{workers[i].Output}");

            Assert.Equal(0, exit);
            Assert.Contains("30 of 30 image(s) restored", submitter.Output);
            var expected = Directory.GetFiles(Path.Combine(root, "local")).Select(Path.GetFileName).Order().ToList();
            var written = Directory.GetFiles(remote).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(30, expected.Count);
            Assert.Equal(expected, written); // each once, no leftovers
            foreach (var name in expected)
                Assert.True(File.ReadAllBytes(Path.Combine(root, "local", name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(remote, name!))), $"{name} differs from the local run");
            // The killed job was reclaimed and finished by a survivor, on a second attempt.
            Assert.Contains(workers.Skip(1), w => w.Output.Split('\n').Any(l => l.Contains(killed) && l.Contains("attempt 2")));
            // Everything was collected: no job, input or result left in Redis, and no stream entry.
            var db = watch.GetDatabase();
            Assert.Empty(watch.GetServer(watch.GetEndPoints()[0]).Keys(pattern: "restormer:job:*"));
            Assert.Equal(0, db.StreamLength("restormer:jobs"));
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Waits for a job running on <paramref name="name"/>, kills that worker, and checks the job was still unfinished.</summary>
    internal static string KillMidJob(ConnectionMultiplexer redis, CliProcess worker, string name)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var db = redis.GetDatabase();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            // After its first job, so the kill lands in a restore rather than in the model's loading.
            if (!worker.Output.Contains("done ")) { Thread.Sleep(20); continue; }
            foreach (var key in server.Keys(pattern: "restormer:job:*").Where(k => k.ToString().Count(c => c == ':') == 2))
            {
                if (db.HashGet(key, "state") != "running" || db.HashGet(key, "worker") != name) continue;
                worker.KillHard();
                var id = key.ToString()["restormer:job:".Length..];
                Assert.Equal("running", db.HashGet(key, "state").ToString()); // killed before it could store a result
                return id;
            }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{name} was never seen in the middle of a job. Its output:\n{worker.Output}");
    }
}

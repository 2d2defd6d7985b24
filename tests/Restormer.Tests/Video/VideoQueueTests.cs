using Restormer.Cli.Commands;
using CliRunner = Restormer.Tests.Cli.CliRunner;
using Restormer.Tests.Queue;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Restormer.Tests.Video;

/// <summary><c>restore clip --queue</c> with real processes: two <c>restormer worker</c>s, one killed mid-frame, give the local run's file.</summary>
[Collection(nameof(RunsAlone))] // four CLI processes on a 2-core machine: not beside the parallel tests
public class VideoQueueTests(ITestOutputHelper output)
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    [SkippableFact]
    public void TwoWorkersOneKilledMidFrameGiveTheLocalRunsClip()
    {
        TestClips.SkipIfMissing();
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var root = TestPaths.NewTempFolder("video-queue");
        var workers = new List<CliProcess>();
        try
        {
            // Frames big enough that a job runs for a while (a worker must be seen in the middle of one).
            var clip = TestClips.Shaky(root.Path, frames: 24, size: "384x256");
            var local = CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, clip, "-o", root["local.mp4"]);
            Assert.True(local.ExitCode == 0, local.Err + local.Out);

            for (int i = 1; i <= 2; i++)
                workers.Add(new CliProcess(root["tmp"], "worker", "--queue", redis.Url, "--visibility-timeout", "2", "--name", $"worker-{i}"));
            using var submitter = new CliProcess(root["tmp"], "restore", clip, "-o", root["remote.mp4"], "--queue", redis.Url, "--weights", TinyWeights, "--in-flight", "8");
            using var watch = ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port}");
            var killed = QueueWorkersTests.KillMidJob(watch, workers[0], "worker-1");
            int exit = submitter.WaitForExit(TimeSpan.FromSeconds(240));
            output.WriteLine($"$ restormer restore shaky.mp4 -o remote.mp4 --queue {redis.Url} --in-flight 8   (exit {exit})\n{submitter.Output}");
            for (int i = 0; i < 2; i++) output.WriteLine($"--- worker-{i + 1}{(i == 0 ? " (killed with SIGKILL mid-job)" : "")}:\n{workers[i].Output}");

            Assert.Equal(0, exit);
            Assert.Contains("ok   " + clip, submitter.Output);
            Assert.Contains(workers[1].Output.Split('\n'), l => l.Contains(killed) && l.Contains("attempt 2")); // the killed job, finished by the survivor
            Assert.True(File.ReadAllBytes(root["local.mp4"]).SequenceEqual(File.ReadAllBytes(root["remote.mp4"])), "the queued clip differs from the local run's");
            Assert.Empty(watch.GetServer(watch.GetEndPoints()[0]).Keys(pattern: "restormer:job:*"));
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
        }
    }
}

using OpenCvSharp;
using Restormer.Inference;
using Restormer.Queue;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Restormer.Tests.Queue;

/// <summary>
/// Hostile queue entries against a real redis-server: each kind of poison is put in the queue ahead of a good job; the
/// worker must survive it, fail it with its reason (recorded in <c>restormer:dead</c>) and then restore the good job.
/// </summary>
public class PoisonJobTests(ITestOutputHelper output)
{
    private static readonly QueueSettings Fast = new() { VisibilityTimeout = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(50) };

    /// <summary>The queue's folder, a bait file beside it, and a direct connection to write what no submitter would.</summary>
    private sealed class Scene(RedisServer redis, TempFolder root) : IDisposable
    {
        public string Shared { get; } = Directory.CreateDirectory(root["shared"]).FullName;
        public TempFolder Root => root;
        public ConnectionMultiplexer Client { get; } = ConnectionMultiplexer.Connect($"127.0.0.1:{redis.Port}");
        public IDatabase Db => Client.GetDatabase();

        /// <summary>Queues a job the way a submitter would, with <paramref name="tamper"/> applied to its hash fields.</summary>
        public string Job(Func<Dictionary<string, string>, Dictionary<string, string>> tamper, string? id = null)
        {
            id ??= Guid.NewGuid().ToString("N");
            var job = new QueueJob { Id = id, Model = QueueImages.TinyWeights, InputName = "poison.png" };
            var fields = tamper(job.ToHash().ToDictionary(e => e.Name.ToString(), e => e.Value.ToString()));
            Db.HashSet($"restormer:job:{id}", [.. fields.Select(f => new HashEntry(f.Key, f.Value))]);
            Db.StreamAdd("restormer:jobs", "job", id);
            return id;
        }

        public void Dispose() => Client.Dispose();
    }

    private static Dictionary<string, string> With(Dictionary<string, string> fields, string name, string value)
    {
        fields[name] = value;
        return fields;
    }

    /// <summary>Puts poison <paramref name="kind"/> into the queue; returns its job id when it has a job hash the worker can mark failed.</summary>
    private static string? Poison(Scene scene, string kind) => kind switch
    {
        "options-not-json" => scene.Job(f => With(f, "options", "{tile: 512")),
        "options-wrong-type" => scene.Job(f => With(f, "options", """{"TileSize":"big"}""")),
        "options-json-null" => scene.Job(f => With(f, "options", "null")),
        "options-out-of-range" => scene.Job(f => With(f, "options", """{"TileSize":12}""")),
        "options-unknown-precision" => scene.Job(f => With(f, "options", """{"Precision":99}""")),
        "missing-fields" => scene.Job(_ => new() { ["state"] = "queued" }),
        "model-relative-path" => scene.Job(f => With(f, "model", "../../weights.pth")),
        "quality-wrong-type" => scene.Job(f => With(f, "quality", "high")),
        "state-unknown" => scene.Job(f => With(f, "state", "exploded")),
        "attempts-negative" => scene.Job(f => With(f, "attempts", "-1000000")),
        "attempts-not-a-number" => scene.Job(f => With(f, "attempts", "many")),
        "attempts-absurd" => scene.Job(f => With(f, "attempts", "2147483647")),
        "folder-escapes" => BaitedFolderJob(scene, Path.Combine(scene.Shared, "..", "outside")),
        "folder-elsewhere" => BaitedFolderJob(scene, scene.Root["outside"]),
        "id-escapes" => IdEscape(scene),
        "entry-without-job-field" => Entry(scene, new NameValueEntry("file", "a.png")),
        "entry-binary-garbage" => Entry(scene, new NameValueEntry("job", new byte[] { 0xFF, 0x00, 0x1B, 0x5B, 0x32, 0x4A })),
        "job-key-wrong-type" => WrongTypeKey(scene),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>A job whose folder is <paramref name="folder"/>, where an input the worker must not read waits.</summary>
    private static string BaitedFolderJob(Scene scene, string folder)
    {
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(scene.Root["outside"]);
        File.Copy(QueueImages.Write(scene.Root["bait"], 1, new Size(24, 16))[0], Path.Combine(scene.Root["outside"], $"{id}.input"));
        return scene.Job(f => With(f, "folder", folder), id);
    }

    /// <summary>The reported attack: id <c>../pwn</c> with the queue's folder, so <c>&lt;folder&gt;/../pwn.input</c> is read and <c>pwn.result</c> written beside it.</summary>
    private static string? IdEscape(Scene scene)
    {
        File.Copy(QueueImages.Write(scene.Root["bait"], 1, new Size(24, 16))[0], scene.Root["pwn.input"]);
        scene.Job(f => With(f, "folder", scene.Shared), "../pwn");
        return null;
    }

    private static string? Entry(Scene scene, NameValueEntry field)
    {
        scene.Db.StreamAdd("restormer:jobs", [field]);
        return null;
    }

    private static string? WrongTypeKey(Scene scene)
    {
        var id = Guid.NewGuid().ToString("N");
        scene.Db.StringSet($"restormer:job:{id}", "not a hash");
        scene.Db.StreamAdd("restormer:jobs", "job", id);
        return null;
    }

    [SkippableTheory]
    [InlineData("options-not-json", "malformed job: 'options' is not a JSON object")]
    [InlineData("options-wrong-type", "malformed job: 'options' is not a JSON object")]
    [InlineData("options-json-null", "malformed job: 'options' is not a JSON object")]
    [InlineData("options-out-of-range", "malformed job: 'options': The tile size must be a positive multiple of 8, got 12.")]
    [InlineData("options-unknown-precision", "malformed job: 'options' names an unknown precision or runtime")]
    [InlineData("missing-fields", "malformed job: it has no 'model' field")]
    [InlineData("model-relative-path", "malformed job: 'model' is '../../weights.pth': expected a task name or an absolute weights path")]
    [InlineData("quality-wrong-type", "malformed job: 'quality' is 'high': expected 1 to 100")]
    [InlineData("state-unknown", "malformed job: 'state' is 'exploded'")]
    [InlineData("attempts-negative", "malformed job: 'attempts' is '-1000000': expected a whole number from 0 to 1000")]
    [InlineData("attempts-not-a-number", "malformed job: 'attempts' is 'many'")]
    [InlineData("attempts-absurd", "malformed job: 'attempts' is '2147483647'")]
    [InlineData("folder-escapes", "which is not the queue's shared folder")]
    [InlineData("folder-elsewhere", "which is not the queue's shared folder")]
    [InlineData("id-escapes", "malformed queue entry: the job id '../pwn' is not 1 to 64 letters, digits, '-' or '_'")]
    [InlineData("entry-without-job-field", "malformed queue entry: the stream entry has no 'job' field")]
    [InlineData("entry-binary-garbage", "malformed queue entry: the job id '")]
    [InlineData("job-key-wrong-type", "the worker could not handle the job: ")]
    public void APoisonEntryIsFailedWithItsReasonAndTheWorkerGoesOnToTheNextJob(string kind, string reason)
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var root = TestPaths.NewTempFolder("queue-poison");
        using var scene = new Scene(redis, root);
        using var queue = WorkQueue.Connect(redis.Url, Fast with { SharedFolder = scene.Shared });
        var poisonId = Poison(scene, kind);
        var image = QueueImages.Write(root["in"], 1, new Size(24, 16))[0];
        var good = queue.Submit(QueueImages.TinyWeights, "good.png", File.ReadAllBytes(image), new RestoreOptions());
        var before = Directory.GetFiles(root.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

        using var worker = new QueueWorker(queue, new RestoreOptions(), "poison-worker", output.WriteLine);
        int taken = 0;
        while (worker.TryRunOne()) taken++; // would throw if the poison reached the worker's loop

        Assert.Equal(2, taken); // the poison once, without retries, then the good job
        Assert.Equal(QueueJobState.Done, queue.Find(good.Id)!.State);
        Assert.NotNull(queue.Result(queue.Find(good.Id)!));
        var dead = Assert.Single(scene.Db.StreamRange("restormer:dead"));
        Assert.Contains(reason, dead["reason"].ToString());
        Assert.Equal("poison-worker", dead["worker"].ToString());
        if (poisonId is not null)
        {
            var failed = queue.Find(poisonId)!;
            Assert.Equal(QueueJobState.Failed, failed.State);
            Assert.Contains(reason, failed.Error);
            Assert.True(scene.Db.KeyTimeToLive($"restormer:job:{poisonId}") is { } ttl && ttl <= Fast.TimeToLive, "a rejected job expires");
        }
        // Nothing left to deliver or pending, and nothing outside the queue's folder read into a result or written.
        Assert.Equal(0, scene.Db.StreamLength("restormer:jobs"));
        Assert.Equal(0, scene.Db.StreamPending("restormer:jobs", "workers").PendingMessageCount);
        var after = Directory.GetFiles(root.Path, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(scene.Shared + "/"));
        Assert.Equal(before.Keys.Where(f => !f.StartsWith(scene.Shared + "/")).Order(), after.Order());
        Assert.All(after, f => Assert.Equal(before[f], File.ReadAllBytes(f)));
        if (kind == "id-escapes")
            Assert.Equal("queued", scene.Db.HashGet("restormer:job:../pwn", "state").ToString()); // a key named by a bad id is not even written
    }

    [SkippableFact]
    public void TheWorkerProcessPrintsOneLineForAPoisonJobNoStackTraceAndRestoresTheNextJob()
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var root = TestPaths.NewTempFolder("queue-poison-cli");
        using var scene = new Scene(redis, root);
        // The reported case, and an entry whose id would break the log line and drive the terminal.
        var poisonId = scene.Job(f => With(f, "options", "{not json"));
        scene.Db.StreamAdd("restormer:jobs", "job", "x\n\u001b[2J");
        using var queue = WorkQueue.Connect(redis.Url, Fast);
        var image = QueueImages.Write(root["in"], 1, new Size(24, 16))[0];
        var good = queue.Submit(QueueImages.TinyWeights, "good.png", File.ReadAllBytes(image), new RestoreOptions());

        using var worker = new CliProcess(root["tmp"], "worker", "--queue", redis.Url, "--name", "cli-worker");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (queue.Find(good.Id) is { IsFinished: false } && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Thread.Sleep(300); // its log line follows the job's state
        output.WriteLine(worker.Output);

        Assert.Equal(QueueJobState.Done, queue.Find(good.Id)!.State);
        var failed = queue.Find(poisonId)!;
        Assert.Equal(QueueJobState.Failed, failed.State);
        Assert.StartsWith("malformed job: 'options' is not a JSON object of restore settings", failed.Error);
        var lines = worker.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith($"reject {poisonId}") && l.Contains("malformed job: 'options'"));
        Assert.Single(lines, l => l.StartsWith("reject x\\n\\x1B[2J") && l.Contains("malformed queue entry"));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ") || l.Contains("Exception"));
        Assert.DoesNotContain('\u001b', worker.Output);
        Assert.Contains(lines, l => l.StartsWith("done   good.png"));
        Assert.False(worker.HasExited);
    }

    [SkippableTheory]
    [InlineData("link", "is a symbolic link, not a file the queue wrote")]
    [InlineData("fifo", "is a FIFO (named pipe), not a file the queue wrote")]
    public void AnInputInTheSharedFolderThatIsALinkOrAPipeIsNotReadAndOnlyThatJobFails(string kind, string reason)
    {
        RedisServer.SkipIfMissing();
        using var redis = new RedisServer();
        using var root = TestPaths.NewTempFolder("queue-poison-file");
        using var scene = new Scene(redis, root);
        using var queue = WorkQueue.Connect(redis.Url, Fast with { SharedFolder = scene.Shared, MaxAttempts = 1 });
        var images = QueueImages.Write(root["in"], 2, new Size(24, 16));
        var poison = queue.Submit(QueueImages.TinyWeights, "swapped.png", File.ReadAllBytes(images[0]), new RestoreOptions());
        var good = queue.Submit(QueueImages.TinyWeights, "good.png", File.ReadAllBytes(images[1]), new RestoreOptions());
        // Someone with write access to the folder swaps the input for a link to a file outside it, or for a pipe (read: blocks for ever).
        var input = Path.Combine(scene.Shared, $"{poison.Id}.input");
        File.Delete(input);
        if (kind == "link") File.CreateSymbolicLink(input, images[1]);
        else Assert.True(Faults.FaultFiles.MakeFifo(input));

        using var worker = new QueueWorker(queue, new RestoreOptions(), "file-worker", output.WriteLine);
        var working = Task.Run(() => { while (worker.TryRunOne()) { } });
        Assert.True(working.Wait(TimeSpan.FromSeconds(60)), "the worker hung on the input");

        var failed = queue.Find(poison.Id)!;
        Assert.Equal(QueueJobState.Failed, failed.State);
        Assert.Contains(reason, failed.Error);
        Assert.Null(queue.Result(poison));
        Assert.Equal(QueueJobState.Done, queue.Find(good.Id)!.State);
    }
}

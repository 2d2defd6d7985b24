using System.IO.Compression;
using System.Text;
using Restormer.Checkpoints;
using Restormer.Imaging;
using Restormer.Model;
using Restormer.Queue;
using Restormer.Training.Options;
using StackExchange.Redis;

namespace Restormer.Tests.Fuzz;

/// <summary>
/// One reader of untrusted input as the fuzz suite drives it: the bytes of a case become a file (or a queue job), the
/// reader runs on it, and the case passes when it gives a valid result or the error type the reader documents. Any
/// other exception escapes and fails the case. Each run is also held to a memory bound: managed allocations within
/// <see cref="ManagedBytesAllowed"/>, and what a valid result holds within what the input could describe.
/// </summary>
public sealed record FuzzTarget(string Name, string Extension, Action<byte[], string> Check)
{
    /// <summary>Pixels a decoded case may have (a 1 MP limit, so that a mutated header cannot ask for gigabytes).</summary>
    public const long MaxPixels = 1 << 20;

    /// <summary>The managed memory one case may allocate: a fixed allowance plus a multiple of its size.</summary>
    public static long ManagedBytesAllowed(int inputLength) => (64L << 20) + 64L * inputLength;

    /// <summary>The readers under test, by name: the corpus folders are named after them.</summary>
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("checkpoint", ".pth", (bytes, path) => Checkpoint(bytes, path)),
        new("pickle", ".pkl", (bytes, path) => Checkpoint(FuzzSeeds.WithPickle(bytes), path)),
        new("image", ".img", Image),
        new("options", ".yml", Options),
        new("job", ".job", Job),
    ];

    public static FuzzTarget Named(string name) => All.Single(t => t.Name == name);

    /// <summary>Runs the reader on <paramref name="bytes"/>, written to <paramref name="scratch"/>, and checks the memory it took.</summary>
    public void Run(byte[] bytes, string scratch)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Check(bytes, scratch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > ManagedBytesAllowed(bytes.Length))
            throw new InvalidOperationException($"{Name}: a {bytes.Length:N0}-byte case allocated {allocated:N0} managed bytes");
    }

    /// <summary>The weights reader with the architecture checks made before building: documented error <see cref="CheckpointException"/>.</summary>
    static void Checkpoint(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        try
        {
            var config = RestormerNet.ReadArchitecture(path);
            config.Validate();
            double weights = global::Restormer.Inference.ModelCost.Parameters(config);
            if (weights * 2 > bytes.Length) // at least half-precision bytes for each weight it declares
                throw new InvalidOperationException($"a {bytes.Length}-byte file was accepted as {weights:N0} weights");
        }
        catch (CheckpointException)
        {
        }
    }

    /// <summary>The image reader every entry point uses (header checks, then OpenCV or libvips): documented error <see cref="ImageReadException"/>.</summary>
    static void Image(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        try
        {
            using var image = ImageFile.Read(path, maxPixels: MaxPixels);
            if ((long)image.Width * image.Height > MaxPixels || image.Channels is not (1 or 3) || image.BitDepth is not (8 or 16))
                throw new InvalidOperationException($"decoded as {image.Width}x{image.Height}, {image.Channels} channels, {image.BitDepth} bits");
        }
        catch (ImageReadException)
        {
        }
    }

    /// <summary>The training option file reader: documented error <see cref="OptionException"/>.</summary>
    static void Options(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        try
        {
            TrainingOptions.Load(path);
        }
        catch (OptionException)
        {
        }
    }

    /// <summary>
    /// The queue's job parser, which never throws: a case is the job id on its first line, then the hash's fields as
    /// <c>name=value</c> lines (<c>\n</c> in a value written as <c>\\n</c>). A job without a problem must be one a
    /// worker can run safely: its id a key, its folder the queue's own, its attempts and options within bounds.
    /// </summary>
    static void Job(byte[] bytes, string _)
    {
        const string shared = FuzzSeeds.SharedFolder;
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        var fields = lines.Skip(1).Select(line => line.Split('=', 2)).Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0]).Select(group => new HashEntry(group.Key, group.Last()[1].Replace("\\n", "\n"))).ToArray();
        var delivery = JobParser.Delivery(new StreamEntry("1-0", [new NameValueEntry(WorkQueue.JobField, lines[0])]));
        if (delivery.Problem is null && JobParser.IdProblem(delivery.JobId) is { } idProblem)
            throw new InvalidOperationException($"delivery accepted a bad id: {idProblem}");
        var job = JobParser.Job(lines[0], fields, shared);
        if (job is null || job.Problem is not null)
            return;
        if (JobParser.IdProblem(job.Id) is { } problem)
            throw new InvalidOperationException($"accepted: {problem}");
        if (job.SharedFolder is { } folder && folder != JobParser.Normalised(shared))
            throw new InvalidOperationException($"accepted the folder '{folder}'");
        if (job.Attempts is < 0 or > JobParser.MaxAttempts || job.Progress is < 0 or > 1)
            throw new InvalidOperationException($"accepted attempts {job.Attempts}, progress {job.Progress}");
        job.Options.Validate();
    }
}

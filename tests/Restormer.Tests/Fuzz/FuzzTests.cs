using System.Security.Cryptography;
using CsCheck;

namespace Restormer.Tests.Fuzz;

/// <summary>
/// Mutation fuzzing of every reader of untrusted input (see <see cref="FuzzTarget"/>), with CsCheck: thousands of
/// random edits of valid files per reader in each run, and a replay of the corpus (<c>Fuzz/Corpus/&lt;reader&gt;/</c>:
/// the hostile cases reported against this project and anything a longer run found). A failure prints CsCheck's seed
/// (rerun with <c>CsCheck_Seed=&lt;seed&gt;</c>) and writes the shrunk case into the corpus folder to keep.
/// Longer runs: <c>CsCheck_Time=600 dotnet test --filter FullyQualifiedName~Fuzz</c> (seconds per reader) or
/// <c>CsCheck_Iter=100000</c>.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    /// <summary>Cases per reader in a default run: about 10 s of the test run on a 2-core machine for all five.</summary>
    const int DefaultIterations = 1500;

    static readonly string CorpusRoot = Path.Combine(TestPaths.RepoRoot, "tests", "Restormer.Tests", "Fuzz", "Corpus");

    readonly TempFolder _scratch = TestPaths.NewTempFolder("restormer-test-fuzz");

    public static TheoryData<string> Targets => new(FuzzTarget.All.Select(t => t.Name));

    public static TheoryData<string, string> Corpus
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var target in FuzzTarget.All)
                foreach (var file in Directory.EnumerateFiles(Path.Combine(CorpusRoot, target.Name)).Order())
                    data.Add(target.Name, Path.GetFileName(file));
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedInputsEndInTheDocumentedErrorOrAValidResult(string name)
    {
        var target = FuzzTarget.Named(name);
        var seeds = FuzzSeeds.For(name);
        var cases = Gen.Int[0, seeds.Count - 1].Select(Mutation.Edits(), (seed, edits) => (Seed: seed, Edits: edits));
        bool timed = Environment.GetEnvironmentVariable("CsCheck_Time") is not null;
        bool counted = Environment.GetEnvironmentVariable("CsCheck_Iter") is not null;
        int count = 0;
        byte[]? failed = null;
        try
        {
            cases.Sample(c =>
                {
                    var bytes = Mutation.Apply(seeds[c.Seed], c.Edits);
                    try
                    {
                        target.Run(bytes, _scratch[$"case-{Environment.CurrentManagedThreadId}{target.Extension}"]);
                        Interlocked.Increment(ref count);
                    }
                    catch
                    {
                        failed = bytes; // shrinking only reports smaller failures: the last one is the case CsCheck prints
                        throw;
                    }
                },
                iter: timed || counted ? -1 : DefaultIterations, threads: 1,
                print: c => $"seed input {c.Seed}, edits [{string.Join(", ", c.Edits)}]");
        }
        catch when (failed is not null)
        {
            Keep(target, failed);
            throw;
        }
        Assert.True(count >= Math.Min(DefaultIterations, 100), $"only {count} cases ran");
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void TheCorpusEndsInTheDocumentedErrorOrAValidResult(string name, string file)
    {
        var target = FuzzTarget.Named(name);
        target.Run(File.ReadAllBytes(Path.Combine(CorpusRoot, name, file)), _scratch["corpus" + target.Extension]);
    }

    [Fact]
    public void TheSeedsAreValidInputs()
    {
        // Unmutated, each seed gives a result, not an error: else the mutations would only explore refusals.
        Assert.NotNull(Restormer.Model.RestormerNet.ReadArchitecture(Write("seed.pth", FuzzSeeds.For("checkpoint")[0])));
        Assert.NotNull(Restormer.Model.RestormerNet.ReadArchitecture(Write("seed.safetensors", FuzzSeeds.For("checkpoint")[1])));
        Assert.NotNull(Restormer.Model.RestormerNet.ReadArchitecture(Write("pickle.pth", FuzzSeeds.WithPickle(FuzzSeeds.For("pickle")[0]))));
        foreach (var image in FuzzSeeds.For("image"))
            using (var decoded = global::Restormer.Imaging.ImageFile.Read(Write("seed.img", image)))
                Assert.Equal((24, 16), (decoded.Width, decoded.Height));
        foreach (var options in FuzzSeeds.For("options"))
            Assert.NotNull(global::Restormer.Training.Options.TrainingOptions.Load(Write("seed.yml", options)));
        Assert.All(FuzzSeeds.For("job"), job =>
        {
            var lines = System.Text.Encoding.UTF8.GetString(job).Split('\n');
            var fields = lines.Skip(1).Select(l => l.Split('=', 2)).Select(p => new StackExchange.Redis.HashEntry(p[0], p[1])).ToArray();
            Assert.Null(global::Restormer.Queue.JobParser.Job(lines[0], fields, FuzzSeeds.SharedFolder)!.Problem);
        });
    }

    string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(_scratch[name], bytes);
        return _scratch[name];
    }

    /// <summary>Saves a failing case into the corpus, named by its digest, so it is replayed from then on once committed.</summary>
    static void Keep(FuzzTarget target, byte[] bytes)
    {
        var folder = Path.Combine(CorpusRoot, target.Name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"found-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}{target.Extension}"), bytes);
    }

    public void Dispose() => _scratch.Dispose();
}

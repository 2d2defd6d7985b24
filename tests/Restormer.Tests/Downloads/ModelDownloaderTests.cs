using Restormer.Downloads;

namespace Restormer.Tests.Downloads;

/// <summary>The library's download checks that the CLI does not reach from a loopback address: known size, a concurrent download.</summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private static readonly byte[] Weights = File.ReadAllBytes(Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
    private readonly WeightsServer server = new(Weights);
    private readonly string dir = TestPaths.NewTempDir("restormer-test-fetch");

    private string Destination => Path.Combine(dir, "motion_deblurring.pth");

    [Fact]
    public async Task AFileOfAnotherSizeThanTheKnownOneIsRefusedBeforeItsBodyIsRead()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelDownloader.DownloadAsync(
            new Uri(server.BaseUrl + "ok.pth"), Destination, new DownloadOptions { ExpectedSize = 104_700_429 }));
        Assert.Contains($"{Weights.Length:N0} bytes long", error.Message);
        Assert.Contains("104,700,429", error.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task ASecondDownloadOfTheSameFileWaitsForTheFirst()
    {
        var partial = ModelDownloader.PartialPath(Destination);
        using (var first = new FileStream(partial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            first.Write(Weights, 0, 100);
            var error = await Assert.ThrowsAnyAsync<IOException>(() => ModelDownloader.DownloadAsync(new Uri(server.BaseUrl + "ok.pth"), Destination));
            Assert.Contains("in use by another download", error.Message);
        }
        Assert.Equal(100, new FileInfo(partial).Length);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task TheDigestIsReturnedAndRecorded()
    {
        var digest = await ModelDownloader.DownloadAsync(new Uri(server.BaseUrl + "ok.pth"), Destination);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Weights)), digest);
        Assert.Equal((DigestState.Matches, digest, digest), WeightsDigest.Check(Destination));
        File.AppendAllText(Destination, "x");
        Assert.Equal(DigestState.Changed, WeightsDigest.Check(Destination).State);
    }

    public void Dispose()
    {
        server.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}

using Restormer.Downloads;

namespace Restormer.Tests.Downloads;

/// <summary>The library's download checks that the CLI does not reach from a loopback address: known size, a concurrent download.</summary>
public sealed class ModelDownloaderTests : DownloadTest
{
    [Fact]
    public async Task AFileOfAnotherSizeThanTheKnownOneIsRefusedBeforeItsBodyIsRead()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelDownloader.DownloadAsync(
            new Uri(Server.BaseUrl + "ok.pth"), Installed, new DownloadOptions { ExpectedSize = 104_700_429 }));
        Assert.Contains($"{Motion.Length:N0} bytes long", error.Message);
        Assert.Contains("104,700,429", error.Message);
        Assert.Empty(Files());
    }

    [Fact]
    public async Task ASecondDownloadOfTheSameFileWaitsForTheFirst()
    {
        var partial = ModelDownloader.PartialPath(Installed);
        using (var first = new FileStream(partial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            first.Write(Motion, 0, 100);
            var error = await Assert.ThrowsAnyAsync<IOException>(() => ModelDownloader.DownloadAsync(new Uri(Server.BaseUrl + "ok.pth"), Installed));
            Assert.Contains("in use by another download", error.Message);
        }
        Assert.Equal(100, new FileInfo(partial).Length);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task TheDigestIsReturnedAndRecorded()
    {
        var digest = await ModelDownloader.DownloadAsync(new Uri(Server.BaseUrl + "ok.pth"), Installed);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Motion)), digest);
        Assert.Equal((DigestState.Matches, digest, digest), WeightsDigest.Check(Installed));
        File.AppendAllText(Installed, "x");
        Assert.Equal(DigestState.Changed, WeightsDigest.Check(Installed).State);
    }
}

using Restormer.Downloads;
using Restormer.Model;

namespace Restormer.Tests.Downloads;

/// <summary>What every download test starts from: a checkpoint to serve, a loopback server for it and an empty models folder, all removed afterwards.</summary>
public abstract class DownloadTest : IDisposable
{
    /// <summary>A small real checkpoint with the motion-deblurring architecture (colour, WithBias, single image).</summary>
    protected static readonly byte[] Motion = File.ReadAllBytes(Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));

    /// <summary>
    /// The published catalogue with <see cref="Motion"/>'s widths and depths in place of the paper's, so the download
    /// tests can serve a 1 MB checkpoint; channels and LayerNorm are still checked per name.
    /// </summary>
    protected static readonly IReadOnlyList<PublishedModel> Catalogue =
        PublishedModels.All.Select(m => m with { Shape = RestormerNet.ReadArchitecture(Path.Combine(TestPaths.Parity, "tiny_withbias.pth")) }).ToList();

    protected WeightsServer Server { get; } = new(Motion);

    protected string Dir { get; } = TestPaths.NewTempDir("restormer-test-fetch");

    protected string Installed => Path.Combine(Dir, "motion_deblurring.pth");

    /// <summary>The names in the models folder, sorted.</summary>
    protected string[] Files() => Directory.GetFiles(Dir).Select(f => Path.GetFileName(f)!).Order().ToArray();

    public void Dispose()
    {
        Server.Dispose();
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}

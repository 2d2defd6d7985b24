using Restormer.Imaging;
using Restormer.Queue;

namespace Restormer.Tests.Queue;

/// <summary>A job's save settings survive the trip through its Redis hash, the only way they reach a worker.</summary>
public sealed class QueueJobTests
{
    private static QueueJob RoundTrip(QueueJob job) => JobParser.Job(job.Id, job.ToHash(), sharedFolder: null)!;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveSettingsReachTheWorker(bool keepMetadata)
    {
        var job = new QueueJob
        {
            Id = "j1", Model = "motion_deblurring", InputName = "a.jpg",
            Save = new ImageSaveOptions { Format = ImageFormat.WebP, Quality = 80, KeepMetadata = keepMetadata },
        };
        Assert.Equal(job.Save, RoundTrip(job).Save);
    }

    [Fact]
    public void AHashWithoutTheMetadataFieldKeepsMetadata()
    {
        // Jobs queued by an older front end have no "metadata" field: they keep EXIF and XMP, as they always did.
        var job = new QueueJob { Id = "j2", Model = "m", InputName = "b.png", Save = new ImageSaveOptions { KeepMetadata = false } };
        var fields = job.ToHash().Where(e => e.Name != "metadata").ToArray();
        Assert.True(JobParser.Job("j2", fields, sharedFolder: null)!.Save.KeepMetadata);
    }
}

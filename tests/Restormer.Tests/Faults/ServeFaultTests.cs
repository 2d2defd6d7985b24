using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenCvSharp;
using Restormer.Cli.Serve;
using Restormer.Inference;
using Restormer.Tests.Serve;

namespace Restormer.Tests.Faults;

/// <summary>
/// The server under the same hostile inputs: bombs and broken images are refused with a clear status and the server
/// stays up; a damaged weights file is not offered as ready; leftovers of dead servers are removed at start.
/// </summary>
public class ServeFaultTests
{
    static async Task<(HttpStatusCode Status, string Error)> Upload(ServeTestServer test, byte[] bytes, string name)
    {
        using var response = await test.UploadAsync(bytes, name);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.TryGetProperty("error", out var error) ? error.GetString()! : body.ToString());
    }

    [Fact]
    public async Task BombsAndBrokenImagesAreRefusedAndTheServerKeepsWorking()
    {
        await using var test = await ServeTestServer.StartAsync(options => options with { Restore = new RestoreOptions { MaxPixels = 1_000_000 } });
        using var photo = FaultFiles.Photo();
        var jpeg = FaultFiles.Encode(photo, ".jpg");

        var bomb = await Upload(test, FaultFiles.PngBomb(3000, 2000), "bomb.png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.Status);
        Assert.Contains("3000×2000", bomb.Error);
        var header = await Upload(test, FaultFiles.Png(32000, 32000, 2, []), "header.png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, header.Status);
        var truncated = await Upload(test, jpeg[..(jpeg.Length / 2)], "half.jpg");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, truncated.Status);
        Assert.Contains("truncated", truncated.Error);
        var text = await Upload(test, "not an image"u8.ToArray(), "notes.png");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.Status);

        Assert.Empty(Directory.GetDirectories(test.Server.Work.Path)); // refused uploads leave nothing
        var job = await test.AcceptedAsync(ServeTestServer.SmallPhoto(40, 24));
        Assert.Equal("done", (await test.WaitUntilFinishedAsync(job.GetProperty("id").GetString()!)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ATruncatedWeightsFileIsNotListedAsReadyAndUploadsForItAreRefused()
    {
        await using var test = await ServeTestServer.StartAsync();
        var weights = Path.Combine(test.ModelsFolder, RestorationTask.MotionDeblurring.WeightsFileName);
        async Task<JsonElement> Motion() => (await test.Http.GetFromJsonAsync<JsonElement>("/api/tasks")).GetProperty("tasks")
            .EnumerateArray().Single(t => t.GetProperty("name").GetString() == "motion_deblurring");

        Assert.True((await Motion()).GetProperty("available").GetBoolean());
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length * 3 / 4)]);
        var listed = await Motion();
        Assert.False(listed.GetProperty("available").GetBoolean());
        Assert.Contains("cannot be read", listed.GetProperty("problem").GetString());
        using var response = await test.UploadAsync(ServeTestServer.SmallPhoto(40, 24));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        File.WriteAllBytes(weights, bytes); // repaired on disk: ready again
        Assert.True((await Motion()).GetProperty("available").GetBoolean());
    }

    [Fact]
    public async Task LeftoversOfDeadServersAreRemovedAtStartAndLiveOnesKept()
    {
        using var parent = TestPaths.NewTempFolder("faults-serve-temp");
        var deadWork = Directory.CreateDirectory(parent["restormer-serve-999999999-deadbeef"]).FullName;
        File.WriteAllText(Path.Combine(deadWork, "upload.png"), "left by a killed server");
        File.WriteAllText(parent["ASPNETCORE_0123456789abcdef.tmp"], "an upload buffer nobody holds");
        var held = parent["ASPNETCORE_fedcba9876543210.tmp"];
        using var holder = new FileStream(held, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
        File.WriteAllText(parent["unrelated.txt"], "not ours");

        await using (var test = await ServeTestServer.StartAsync(tempParent: parent.Path))
        {
            Assert.False(Directory.Exists(deadWork));
            Assert.False(File.Exists(parent["ASPNETCORE_0123456789abcdef.tmp"]));
            Assert.True(File.Exists(held)); // still open in a live process
            Assert.True(File.Exists(parent["unrelated.txt"]));
            using var big = new Mat(600, 600, MatType.CV_8UC3); // an upload above ASP.NET Core's 64 KB disk-buffer threshold
            Cv2.Randu(big, Scalar.All(0), Scalar.All(255));
            var path = parent["big.png"];
            Cv2.ImWrite(path, big);
            using var response = await test.UploadAsync(path);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Empty(Directory.GetFiles(parent.Path, "ASPNETCORE_*.tmp").Except([held]));
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "ASPNETCORE_*.tmp"));
        }
    }
}

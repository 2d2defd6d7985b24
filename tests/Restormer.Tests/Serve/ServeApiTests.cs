using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenCvSharp;
using Restormer.Cli.Serve;
using Restormer.Inference;

namespace Restormer.Tests.Serve;

/// <summary>The serve command's HTTP API, without a browser: uploads, results, limits, queueing and clean-up.</summary>
public class ServeApiTests
{
    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    private static string[] JobFolders(ServeTestServer test) => Directory.GetDirectories(test.Server.Work.Path);

    [Fact]
    public async Task RestoresAnUploadIntoThePngTheLibraryGives()
    {
        await using var test = await ServeTestServer.StartAsync();
        var photo = ServeTestServer.SmallPhoto();
        var job = await test.AcceptedAsync(photo);
        Assert.Equal("motion_deblurring", job.GetProperty("task").GetString());
        Assert.Equal(96, job.GetProperty("width").GetInt32());
        var id = job.GetProperty("id").GetString()!;

        var done = await test.WaitUntilFinishedAsync(id);
        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal(1.0, done.GetProperty("progress").GetDouble());
        Assert.Equal("blurry photo-restored.png", done.GetProperty("result_file_name").GetString());

        var restored = await test.Http.GetByteArrayAsync(done.GetProperty("result_url").GetString());
        var expectedPath = Path.Combine(TestPaths.NewTempDir(), "expected.png");
        using (var restorer = Restorer.Load(ServeTestServer.TinyWeights))
            restorer.Restore(photo, expectedPath);
        using var actual = Cv2.ImDecode(restored, ImreadModes.Unchanged);
        using var expected = Cv2.ImRead(expectedPath, ImreadModes.Unchanged);
        Assert.Equal(new Size(96, 64), actual.Size());
        Assert.Equal(0, Cv2.Norm(expected, actual, NormTypes.INF));

        using var before = Cv2.ImDecode(await test.Http.GetByteArrayAsync(done.GetProperty("input_url").GetString()), ImreadModes.Unchanged);
        using var original = Cv2.ImRead(photo);
        Assert.Equal(0, Cv2.Norm(original, before, NormTypes.INF));

        using var download = await test.Http.GetAsync(done.GetProperty("result_url").GetString() + "?download=true");
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("blurry photo-restored.png", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task ModelsAreLoadedOncePerWeightsFile()
    {
        await using var test = await ServeTestServer.StartAsync();
        var photo = ServeTestServer.SmallPhoto(40, 24);
        var first = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;
        var second = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;
        foreach (var id in new[] { first, second })
            Assert.Equal("done", (await test.WaitUntilFinishedAsync(id)).GetProperty("state").GetString());
        Assert.Equal([Path.Combine(test.ModelsFolder, "motion_deblurring.pth")], test.Server.Models.LoadedPaths);
    }

    [Fact]
    public async Task BrokenWeightsAreRefusedAndReadAgainOnceReplaced()
    {
        await using var test = await ServeTestServer.StartAsync();
        var weights = Path.Combine(test.ModelsFolder, "motion_deblurring.pth");
        File.WriteAllText(weights, "not a checkpoint");
        var photo = ServeTestServer.SmallPhoto(24, 16);
        using (var refused = await test.UploadAsync(photo))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("The motion_deblurring model cannot be used", await ErrorOf(refused));
        }
        Assert.Empty(test.Server.Models.LoadedPaths);

        // Replaced by renaming, as 'models fetch' does.
        File.Copy(ServeTestServer.TinyWeights, weights + ".new");
        File.Move(weights + ".new", weights, overwrite: true);
        var done = await test.WaitUntilFinishedAsync((await test.AcceptedAsync(photo)).GetProperty("id").GetString()!);
        Assert.Equal("done", done.GetProperty("state").GetString());
    }

    [Fact]
    public async Task TaskListSaysWhichWeightsArePresentAndWhatToPutWhere()
    {
        await using var test = await ServeTestServer.StartAsync();
        var info = await test.Http.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Equal(test.ModelsFolder, info.GetProperty("models_folder").GetString());
        var tasks = info.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(RestorationTask.All.Select(t => t.Name), tasks.Keys);
        Assert.True(tasks["motion_deblurring"].GetProperty("available").GetBoolean());
        Assert.Equal("motion_deblurring.pth", tasks["motion_deblurring"].GetProperty("model").GetString());
        Assert.False(tasks["deraining"].GetProperty("available").GetBoolean());
        Assert.Equal("deraining.pth", tasks["deraining"].GetProperty("weights_file").GetString());

        using var missing = await test.UploadAsync(ServeTestServer.SmallPhoto(), "deraining");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains($"put 'deraining.pth' into {test.ModelsFolder}", await ErrorOf(missing));
    }

    [Fact]
    public async Task TooLargeUploadIs413AndLeavesNoFiles()
    {
        await using var test = await ServeTestServer.StartAsync(o => o with { MaxUploadBytes = 100_000 });
        // Just over the limit: the server reads the form, then refuses the file. Far over it: refused by its length
        // before the body is sent (Expect: 100-continue, as curl sends; the page itself checks the size before uploading).
        foreach (var (size, expectContinue) in new[] { (100_001, false), (3_000_000, true) })
        {
            using var response = await test.UploadAsync(new byte[size], "huge.png", expectContinue: expectContinue);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("larger than this server's limit of 0.1 MB", await ErrorOf(response));
        }
        Assert.Empty(JobFolders(test));
    }

    [Fact]
    public async Task NonImageIs415NamingTheFile()
    {
        await using var test = await ServeTestServer.StartAsync();
        using var response = await test.UploadAsync("these are notes, not pixels"u8.ToArray(), "notes.txt");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("'notes.txt' is not an image", await ErrorOf(response));
        Assert.Empty(JobFolders(test));
    }

    [Fact]
    public async Task MissingImageOrUnknownTaskIs400()
    {
        await using var test = await ServeTestServer.StartAsync();
        using var empty = await test.UploadAsync([], "empty.png");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("No image in the upload", await ErrorOf(empty));

        using var unknown = await test.UploadAsync(ServeTestServer.SmallPhoto(), "sharpen_everything");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Unknown task 'sharpen_everything'", await ErrorOf(unknown));

        using var notAForm = await test.Http.PostAsync("/api/jobs", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);

        using var unknownJob = await test.Http.GetAsync("/api/jobs/0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
    }

    [Fact]
    public async Task FullQueueIs503UntilTheModelIsFree()
    {
        using var release = new SemaphoreSlim(0);
        JobRunner blocked = (job, progress, cancellation) =>
        {
            progress.Report(0.25);
            release.Wait(cancellation);
            File.Copy(job.InputPngPath, job.ResultPath);
        };
        await using var test = await ServeTestServer.StartAsync(o => o with { QueueCapacity = 1 }, blocked);
        var photo = ServeTestServer.SmallPhoto(16, 16);

        var running = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;
        var seen = await test.WaitForAsync(running, job => job.GetProperty("state").GetString() == "running");
        Assert.Equal(0.25, seen.GetProperty("progress").GetDouble());
        var waiting = await test.AcceptedAsync(photo);
        Assert.Equal("queued", waiting.GetProperty("state").GetString());
        Assert.Equal(1, waiting.GetProperty("ahead").GetInt32());

        using var refused = await test.UploadAsync(photo);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("busy: 1 image(s) are already waiting for the motion_deblurring model", await ErrorOf(refused));
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(2, JobFolders(test).Length);

        release.Release(2);
        foreach (var id in new[] { running, waiting.GetProperty("id").GetString()! })
            Assert.Equal("done", (await test.WaitUntilFinishedAsync(id)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await test.UploadAsync(photo)).StatusCode);
    }

    [Fact]
    public async Task DeletingAQueuedJobCancelsItAndRemovesItsFiles()
    {
        using var release = new SemaphoreSlim(0);
        var ran = new List<string>();
        JobRunner blocked = (job, _, cancellation) =>
        {
            lock (ran) ran.Add(job.Id);
            release.Wait(cancellation);
            File.Copy(job.InputPngPath, job.ResultPath);
        };
        await using var test = await ServeTestServer.StartAsync(runner: blocked);
        var photo = ServeTestServer.SmallPhoto(16, 16);
        var first = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;
        await test.WaitForAsync(first, job => job.GetProperty("state").GetString() == "running");
        var second = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await test.Http.DeleteAsync($"/api/jobs/{second}")).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(test.Server.Work.Path, second)));
        Assert.Equal(HttpStatusCode.NotFound, (await test.Http.GetAsync($"/api/jobs/{second}")).StatusCode);

        release.Release(2);
        var third = (await test.AcceptedAsync(photo)).GetProperty("id").GetString()!;
        Assert.Equal("done", (await test.WaitUntilFinishedAsync(third)).GetProperty("state").GetString());
        lock (ran) Assert.Equal([first, third], ran);
    }

    [Fact]
    public async Task DeletingARunningJobStopsItAndRemovesItsFiles()
    {
        using var stopped = new ManualResetEventSlim();
        await using var test = await ServeTestServer.StartAsync(runner: ServeTestServer.RunsUntilCancelled(0.5, stopped));
        var id = (await test.AcceptedAsync(ServeTestServer.SmallPhoto(16, 16))).GetProperty("id").GetString()!;
        await test.WaitForAsync(id, job => job.GetProperty("progress").GetDouble() == 0.5);

        Assert.Equal(HttpStatusCode.NoContent, (await test.Http.DeleteAsync($"/api/jobs/{id}")).StatusCode);
        Assert.True(stopped.Wait(TimeSpan.FromSeconds(5)), "the running job was not cancelled");
        Assert.Equal(HttpStatusCode.NotFound, (await test.Http.GetAsync($"/api/jobs/{id}")).StatusCode);
        await test.WaitForNoJobFoldersAsync();
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]                       // a sandboxed frame or a local file
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]          // another port or subdomain of the same site
    public async Task UploadsAndCancelsSentByAnotherSiteAreRefused(string header, string value)
    {
        using var stopped = new ManualResetEventSlim();
        await using var test = await ServeTestServer.StartAsync(runner: ServeTestServer.RunsUntilCancelled(0.5, stopped));
        var photo = File.ReadAllBytes(ServeTestServer.SmallPhoto(16, 16));
        var foreign = new Dictionary<string, string> { [header] = value };

        using var refused = await test.UploadAsync(photo, "a.png", headers: foreign);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var error = await ErrorOf(refused);
        Assert.Contains("Refused: this request came from another web site", error);
        Assert.Contains($"Use the page at {test.Server.Address}", error);
        Assert.Empty(JobFolders(test));

        // The page itself, as a browser sends it, and a tool that sends neither header are served.
        var page = new Dictionary<string, string> { ["Origin"] = test.Server.Address.GetLeftPart(UriPartial.Authority), ["Sec-Fetch-Site"] = "same-origin" };
        using var fromPage = await test.UploadAsync(photo, "a.png", headers: page);
        Assert.Equal(HttpStatusCode.Accepted, fromPage.StatusCode);
        var id = (await fromPage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var foreignDelete = new HttpRequestMessage(HttpMethod.Delete, $"/api/jobs/{id}");
        foreignDelete.Headers.Add(header, value);
        Assert.Equal(HttpStatusCode.Forbidden, (await test.Http.SendAsync(foreignDelete)).StatusCode);
        Assert.NotNull(test.Server.Jobs.Find(id));
        Assert.False(stopped.IsSet);
        Assert.Equal(HttpStatusCode.NoContent, (await test.Http.DeleteAsync($"/api/jobs/{id}")).StatusCode);
    }

    [Fact]
    public async Task FinishedJobsAreDeletedAfterTheirLifetime()
    {
        await using var test = await ServeTestServer.StartAsync(o => o with { ResultLifetime = TimeSpan.FromMilliseconds(400) },
            (job, _, _) => File.Copy(job.InputPngPath, job.ResultPath));
        var id = (await test.AcceptedAsync(ServeTestServer.SmallPhoto(16, 16))).GetProperty("id").GetString()!;
        var folder = Path.Combine(test.Server.Work.Path, id);
        Assert.True(Directory.Exists(folder));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists(folder) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(Directory.Exists(folder), "the finished job's folder outlived its lifetime");
        using var gone = await test.Http.GetAsync($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("older than", await ErrorOf(gone));
    }

    [Fact]
    public async Task StoppingDeletesTheTempFolderAndStartingRemovesLeftoversOfDeadServers()
    {
        var parent = TestPaths.NewTempDir("serve-temp");
        var deadServer = Directory.CreateDirectory(Path.Combine(parent, "restormer-serve-999999999-0badf00d")).FullName; // no such pid
        File.WriteAllText(Path.Combine(deadServer, "left.png"), "x");
        var unrelated = Directory.CreateDirectory(Path.Combine(parent, "someone-else")).FullName;

        var test = await ServeTestServer.StartAsync(tempParent: parent);
        var work = test.Server.Work.Path;
        Assert.False(Directory.Exists(deadServer));
        Assert.True(Directory.Exists(unrelated));

        var id = (await test.AcceptedAsync(ServeTestServer.SmallPhoto(24, 16))).GetProperty("id").GetString()!;
        await test.WaitUntilFinishedAsync(id);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, id)));
        await test.DisposeAsync();
        Assert.False(Directory.Exists(work));
        Assert.True(Directory.Exists(unrelated));
    }

    [Fact]
    public async Task PageIsSelfContained()
    {
        await using var test = await ServeTestServer.StartAsync();
        using var page = await test.Http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"app.js\"", html);
        foreach (var asset in new[] { "/", "/app.js", "/app.css" })
        {
            var text = await test.Http.GetStringAsync(asset);
            Assert.DoesNotMatch(@"(src|href)\s*=\s*[""']?(https?:)?//|url\(\s*[""']?(https?:)?//|@import", text);
        }
    }
}

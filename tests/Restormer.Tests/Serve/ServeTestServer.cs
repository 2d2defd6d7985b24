using System.Net.Http.Json;
using System.Text.Json;
using OpenCvSharp;
using Restormer.Cli.Serve;
using Restormer.Inference;

namespace Restormer.Tests.Serve;

/// <summary>
/// A <c>serve</c> server started in-process on a free loopback port, with a models folder holding only the tiny
/// parity fixture as <c>motion_deblurring.pth</c> and its own temporary parent folder.
/// </summary>
public sealed class ServeTestServer : IAsyncDisposable
{
    public static string TinyWeights => Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    private ServeTestServer(RestoreServer server, string modelsFolder, string tempParent)
    {
        Server = server;
        ModelsFolder = modelsFolder;
        TempParent = tempParent;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public RestoreServer Server { get; }
    public HttpClient Http { get; }
    public string ModelsFolder { get; }
    public string TempParent { get; }

    public static async Task<ServeTestServer> StartAsync(Func<ServeOptions, ServeOptions>? configure = null, JobRunner? runner = null, string? tempParent = null)
    {
        var models = TestPaths.NewTempDir("serve-models");
        File.Copy(TinyWeights, Path.Combine(models, RestorationTask.MotionDeblurring.WeightsFileName));
        tempParent ??= TestPaths.NewTempDir("serve-temp");
        var options = new ServeOptions { Port = 0, Models = new ModelStore(models), TempParent = tempParent };
        var server = await RestoreServer.StartAsync(configure?.Invoke(options) ?? options, runner: runner);
        return new ServeTestServer(server, models, tempParent);
    }

    /// <summary>
    /// A job that reports <paramref name="progress"/> and then works until it is cancelled (a minute at most), when it
    /// sets <paramref name="stopped"/>: a long restoration, for progress and cancel.
    /// </summary>
    public static JobRunner RunsUntilCancelled(double progress, ManualResetEventSlim stopped) => (_, sink, cancellation) =>
    {
        sink.Report(progress);
        cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        if (cancellation.IsCancellationRequested) stopped.Set();
        cancellation.ThrowIfCancellationRequested();
    };

    /// <summary>Waits (10 s at most) until no job has a folder any more: finished, cancelled or deleted jobs' files are gone.</summary>
    public async Task WaitForNoJobFoldersAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.GetDirectories(Server.Work.Path).Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Empty(Directory.GetDirectories(Server.Work.Path));
    }

    /// <summary>A 96×64 crop of a real motion-blurred sample frame, as a PNG in a new temp folder.</summary>
    public static string SmallPhoto(int width = 96, int height = 64)
    {
        var sample = Directory.GetFiles(Path.Combine(TestPaths.Shared, "data", "samples", "motion_blur"), "*.png").Order().First();
        using var frame = Cv2.ImRead(sample);
        using var crop = new Mat(frame, new Rect(400, 200, 480, 320));
        using var small = crop.Resize(new Size(width, height), interpolation: InterpolationFlags.Area);
        var path = Path.Combine(TestPaths.NewTempDir("serve-photo"), "blurry photo.png");
        Cv2.ImWrite(path, small);
        return path;
    }

    /// <summary>Posts a file as the page does; returns the response (the caller checks the status).</summary>
    public Task<HttpResponseMessage> UploadAsync(string path, string? task = "motion_deblurring") =>
        UploadAsync(File.ReadAllBytes(path), Path.GetFileName(path), task);

    /// <summary>
    /// Posts bytes as an upload. <paramref name="expectContinue"/> sends <c>Expect: 100-continue</c> as curl does for large
    /// bodies, so the server can refuse the body by its length before it is sent; <paramref name="headers"/> are added
    /// (a browser's <c>Origin</c>, <c>Sec-Fetch-Site</c>).
    /// </summary>
    public Task<HttpResponseMessage> UploadAsync(byte[] content, string fileName, string? task = "motion_deblurring", bool expectContinue = false,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(content), ServeApi.ImageField, fileName } };
        if (task is not null) form.Add(new StringContent(task), ServeApi.TaskField);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = form };
        request.Headers.ExpectContinue = expectContinue;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.Add(name, value);
        return Http.SendAsync(request);
    }

    /// <summary>Uploads and expects 202; returns the job's JSON.</summary>
    public async Task<JsonElement> AcceptedAsync(string path)
    {
        using var response = await UploadAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the job until <paramref name="done"/> holds for its JSON (or fails after a timeout).</summary>
    public async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> done, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var job = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            if (done(job)) return job;
            Assert.True(DateTime.UtcNow < deadline, $"Job {id} did not reach the expected state: {job}");
            await Task.Delay(50);
        }
    }

    public Task<JsonElement> WaitUntilFinishedAsync(string id) =>
        WaitForAsync(id, job => job.GetProperty("state").GetString() is "done" or "failed" or "cancelled");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Restormer.Imaging;
using Restormer.Inference;

namespace Restormer.Cli.Serve;

/// <summary>
/// The HTTP API behind the page. Errors are JSON <c>{"error": "…"}</c> with a sentence a person can act on:
/// 400 bad request, 403 sent by another web site, 404 unknown or expired job, 413 upload too large, 415 not an image,
/// 503 queue full.
/// </summary>
public sealed class ServeApi(ServeOptions options, JobScheduler jobs, WorkFolder work)
{
    /// <summary>Form field that carries the image.</summary>
    public const string ImageField = "image";
    /// <summary>Form field that carries the task name.</summary>
    public const string TaskField = "task";

    private readonly WeightsCheck weightsCheck = new();

    /// <summary>Request bodies may exceed the image limit by this much (multipart headers, the task field).</summary>
    public const long FormOverheadBytes = 1 << 20;

    /// <summary>Adds the page and the API routes.</summary>
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var name in PageAssets.Files.Keys)
            routes.MapGet(name == "index.html" ? "/" : "/" + name, (HttpContext context) => PageAssets.Serve(context, name));
        routes.MapGet("/api/tasks", Tasks);
        routes.MapPost("/api/jobs", Upload).AddEndpointFilter(SameOriginOnly);
        routes.MapGet("/api/jobs/{id}", (string id) => WithJob(id, job => Results.Json(Describe(job))));
        routes.MapGet("/api/jobs/{id}/input.png", (string id) => WithJob(id, job => Results.File(job.InputPngPath, "image/png")));
        routes.MapGet("/api/jobs/{id}/restored.png", (string id, bool? download) => WithJob(id, job => job.State == JobState.Done
            ? Results.File(job.ResultPath, "image/png", download == true ? job.ResultFileName : null)
            : Error(StatusCodes.Status404NotFound, $"The image is not restored yet (state: {StateName(job)}).")));
        routes.MapDelete("/api/jobs/{id}", (string id) => jobs.Remove(id) ? Results.NoContent() : UnknownJob()).AddEndpointFilter(SameOriginOnly);
    }

    /// <summary>
    /// Refuses a request that changes something (an upload, a cancel) when the browser says another web site sent it,
    /// so a page open in the same browser cannot use this server behind the user's back (cross-site request forgery):
    /// <c>Sec-Fetch-Site</c>, when sent, must be <c>same-origin</c> or <c>none</c>, and <c>Origin</c>, when sent, must be
    /// this server as the browser addressed it (its <c>Host</c>, which host filtering limits to loopback names unless
    /// <c>--host</c> opened the server to the network). Clients that send neither header (curl, scripts) are not browsers.
    /// </summary>
    private static async ValueTask<object?> SameOriginOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        string site = request.Headers["Sec-Fetch-Site"].ToString(), origin = request.Headers.Origin.ToString();
        if ((site.Length > 0 && site is not ("same-origin" or "none"))
            || (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)))
            return Error(StatusCodes.Status403Forbidden,
                $"Refused: this request came from another web site ({(origin.Length > 0 ? origin : site)}). Use the page at {request.Scheme}://{request.Host}/ itself.");
        return await next(context);
    }

    private object Tasks() => new
    {
        modelsFolder = options.Models.Directory,
        maxUploadBytes = options.MaxUploadBytes,
        tasks = RestorationTask.All.Select(task => options.Models.TryResolve(task) is not { } path
            ? new TaskInfo(task.Name, task.Description, task.WeightsFileName, false, null, null)
            : weightsCheck.Problem(path) is { } problem
                ? new TaskInfo(task.Name, task.Description, task.WeightsFileName, false, null, problem)
                : new TaskInfo(task.Name, task.Description, task.WeightsFileName, true, Path.GetFileName(path), null)),
    };

    /// <summary>A task as the page lists it; <c>Problem</c> says why a weights file that is present cannot be used.</summary>
    private sealed record TaskInfo(string Name, string Description, string WeightsFile, bool Available, string? Model, string? Problem);

    private async Task<IResult> Upload(HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentLength > options.MaxUploadBytes + FormOverheadBytes)
            return TooLarge();
        if (!request.HasFormContentType)
            return Error(StatusCodes.Status400BadRequest, $"Send the image as multipart/form-data with the fields '{ImageField}' and '{TaskField}'.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellation);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
        catch (InvalidDataException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"The upload is not a valid form ({e.Message}).");
        }
        var file = form.Files.GetFile(ImageField);
        if (file is null || file.Length == 0)
            return Error(StatusCodes.Status400BadRequest, $"No image in the upload: choose an image file (form field '{ImageField}').");
        if (file.Length > options.MaxUploadBytes)
            return TooLarge();
        var taskName = form[TaskField].ToString();
        var task = string.IsNullOrWhiteSpace(taskName) ? RestorationTask.MotionDeblurring : RestorationTask.Find(taskName);
        if (task is null)
            return Error(StatusCodes.Status400BadRequest, $"Unknown task '{taskName}'. Tasks: {string.Join(", ", RestorationTask.All.Select(t => t.Name))}.");
        if (options.Models.TryResolve(task) is not { } weights)
            return Error(StatusCodes.Status400BadRequest, $"The {task.Name} model is not installed: put '{task.WeightsFileName}' into {options.Models.Directory} and reload the page.");
        if (weightsCheck.Problem(weights) is { } problem)
            return Error(StatusCodes.Status400BadRequest, $"The {task.Name} model cannot be used: {problem}");
        return await Accept(file, task, weights, cancellation);
    }

    private async Task<IResult> Accept(IFormFile file, RestorationTask task, string weights, CancellationToken cancellation)
    {
        var id = Guid.NewGuid().ToString("N");
        var folder = work.CreateJobFolder(id);
        var fileName = CleanFileName(file.FileName);
        var uploadPath = Path.Combine(folder, "upload" + Path.GetExtension(fileName).ToLowerInvariant());
        try
        {
            await using (var target = File.Create(uploadPath))
                await file.CopyToAsync(target, cancellation);
            RestoreJob job;
            using (var image = ImageFile.Read(uploadPath, maxPixels: options.Restore.MaxPixels))
            {
                job = new RestoreJob(id, task, weights, folder, uploadPath, fileName, image.Width, image.Height);
                image.WritePng(job.InputPngPath);
            }
            if (!jobs.TryEnqueue(job))
            {
                WorkFolder.DeleteJobFolder(folder);
                return Error(StatusCodes.Status503ServiceUnavailable,
                    $"The server is busy: {options.QueueCapacity} image(s) are already waiting for the {task.Name} model. Try again in a minute.",
                    retryAfterSeconds: 30);
            }
            return Results.Json(Describe(job), statusCode: StatusCodes.Status202Accepted);
        }
        catch (ImageTooLargeException e)
        {
            WorkFolder.DeleteJobFolder(folder);
            return Error(StatusCodes.Status413PayloadTooLarge, $"'{fileName}' {e.Reason}.");
        }
        catch (ImageReadException e)
        {
            WorkFolder.DeleteJobFolder(folder);
            return Error(StatusCodes.Status415UnsupportedMediaType,
                $"'{fileName}' is not an image this server can read ({e.Reason}): upload a PNG, JPEG, TIFF, BMP or WebP file (8 or 16 bits).");
        }
        catch
        {
            WorkFolder.DeleteJobFolder(folder);
            throw;
        }
    }

    private object Describe(RestoreJob job) => new
    {
        id = job.Id,
        task = job.Task.Name,
        state = StateName(job),
        progress = Math.Round(job.Progress, 4),
        ahead = jobs.Ahead(job),
        error = job.Error,
        fileName = job.FileName,
        width = job.Width,
        height = job.Height,
        seconds = job.Started is { } started ? Math.Round(((job.Finished ?? DateTimeOffset.UtcNow) - started).TotalSeconds, 1) : (double?)null,
        inputUrl = $"/api/jobs/{job.Id}/input.png",
        resultUrl = job.State == JobState.Done ? $"/api/jobs/{job.Id}/restored.png" : null,
        resultFileName = job.ResultFileName,
    };

    private static string StateName(RestoreJob job) => job.State.ToString().ToLowerInvariant();

    private IResult WithJob(string id, Func<RestoreJob, IResult> action) =>
        jobs.Find(id) is { } job ? action(job) : UnknownJob();

    private IResult UnknownJob() => Error(StatusCodes.Status404NotFound,
        $"No such job: it was never made, was deleted, or is older than {options.ResultLifetime.TotalMinutes:0.#} minutes. Upload the image again.");

    private IResult TooLarge() => Error(StatusCodes.Status413PayloadTooLarge,
        $"The file is larger than this server's limit of {options.MaxUploadBytes / 1048576.0:0.##} MB: use a smaller image, or start the server with a larger --max-upload-mb.");

    private static IResult Error(int status, string message, int? retryAfterSeconds = null) =>
        new ErrorResult(status, message, retryAfterSeconds);

    /// <summary>The upload's own name without folders or control characters (it is only shown and used as the download name).</summary>
    private static string CleanFileName(string? name)
    {
        var clean = new string(Path.GetFileName(name ?? "").Where(c => !char.IsControl(c) && c != '"' && c != '\\').ToArray()).Trim();
        return clean.Length == 0 ? "image" : clean;
    }

    /// <summary>A JSON error body, with <c>Retry-After</c> when the client should simply try again later.</summary>
    private sealed class ErrorResult(int status, string message, int? retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            if (retryAfterSeconds is int seconds) context.Response.Headers.RetryAfter = seconds.ToString();
            return Results.Json(new { error = message }, statusCode: status).ExecuteAsync(context);
        }
    }
}

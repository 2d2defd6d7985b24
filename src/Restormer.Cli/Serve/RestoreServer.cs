using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Restormer.IO;
using Restormer.Queue;

namespace Restormer.Cli.Serve;

/// <summary>
/// The <c>serve</c> web server: Kestrel with the page and <see cref="ServeApi"/>, a <see cref="JobScheduler"/>, the
/// <see cref="ModelCache"/> and a <see cref="WorkFolder"/>. Disposing stops it, cancels jobs, frees the models and
/// deletes the temporary files.
/// </summary>
public sealed class RestoreServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly WorkQueue? queue;
    private bool disposed;

    private RestoreServer(ServeOptions options, Action<string>? log, JobRunner? runner)
    {
        Options = options;
        // A test's runner replaces the restoration, and with it the queue.
        queue = options.QueueAddress is { } address && runner is null ? WorkQueue.Connect(address, options.Queue) : null;
        app = Build(options, log is not null);
        Work = new WorkFolder(options.TempParent);
        Models = new ModelCache(options.Restore);
        Jobs = queue is null
            ? new JobScheduler(runner ?? RestoreWithCachedModel, options.QueueCapacity, options.ResultLifetime, log)
            : new JobScheduler(new QueueRunner(queue, options.Restore).Run, options.QueueCapacity, options.ResultLifetime, log, options.InFlight);
        app.Use((context, next) => UnexpectedErrors.Handle(context, next, log));
        new ServeApi(options, Jobs, Work).Map(app);
    }

    /// <summary>The settings it runs with.</summary>
    public ServeOptions Options { get; }
    /// <summary>The jobs, queued, running and finished.</summary>
    public JobScheduler Jobs { get; }
    /// <summary>The loaded models.</summary>
    public ModelCache Models { get; }
    /// <summary>Its temporary folder.</summary>
    public WorkFolder Work { get; }
    /// <summary>The address it listens on, with the actual port (useful when <see cref="ServeOptions.Port"/> is 0).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>
    /// Starts listening. <paramref name="log"/> receives a line per finished job (null: silent).
    /// <paramref name="runner"/> replaces the restoration itself (tests); by default the job's model restores the upload.
    /// </summary>
    public static async Task<RestoreServer> StartAsync(ServeOptions options, Action<string>? log = null, JobRunner? runner = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var server = new RestoreServer(options, log, runner);
        try
        {
            await server.app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            await server.DisposeAsync();
            throw new IOException($"Cannot listen on {options.Host}:{options.Port}: {e.Message} Choose another --port (or --host).", e);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        server.Address = new Uri(server.app.Urls.First());
        return server;
    }

    /// <summary>True when <paramref name="host"/> is this computer only (localhost, 127.x.x.x, ::1).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Completes when <paramref name="cancellation"/> fires (the command's: Ctrl+C, SIGTERM; see <see cref="Interruption"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation) => app.WaitForShutdownAsync(cancellation);

    private void RestoreWithCachedModel(RestoreJob job, IProgress<double> progress, CancellationToken cancellation) =>
        Models.Get(job.WeightsPath).Restore(job.UploadPath, job.ResultPath, progress, cancellation);

    private static WebApplication Build(ServeOptions options, bool logWarnings)
    {
        var host = options.Host.Trim('[', ']');
        if (!IsLoopback(host) && !IPAddress.TryParse(host, out _))
            throw new ArgumentException($"--host must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, got '{options.Host}'.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Warnings and request errors to the console; a failed start is reported by StartAsync's exception instead.
        if (logWarnings)
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // A page bound to loopback answers only to loopback names, so a web site cannot reach it by DNS rebinding.
        builder.Services.AddHostFiltering(filter => filter.AllowedHosts = IsLoopback(host) ? ["localhost", "127.0.0.1", "[::1]"] : ["*"]);
        builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{options.Port}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + ServeApi.FormOverheadBytes);
        // Uploads are buffered in memory (at most one limit's worth each), never in ASP.NET Core's ASPNETCORE_*.tmp
        // files, which a killed server would leave in the system's temporary folder.
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = options.MaxUploadBytes + ServeApi.FormOverheadBytes;
            form.MemoryBufferThreshold = (int)Math.Min(int.MaxValue, options.MaxUploadBytes + ServeApi.FormOverheadBytes);
        });
        // The API's keys are snake_case, as every other JSON the project writes (JsonStyle).
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonStyle.Line.PropertyNamingPolicy);
        // Signals are the command's (Interruption), not the host's: it stops when the command's token fires.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        var app = builder.Build();
        app.UseHostFiltering();
        return app;
    }

    /// <summary>A host lifetime that leaves Ctrl+C and SIGTERM to the command.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Stops listening, cancels the jobs, frees the models and deletes the temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        await app.StopAsync();
        await Jobs.DisposeAsync();
        Models.Dispose();
        queue?.Dispose();
        Work.Dispose();
        await app.DisposeAsync();
    }
}

using Microsoft.AspNetCore.Http;

namespace Restormer.Cli.Serve;

/// <summary>
/// The server's boundary for errors it did not expect (a bug): the request is answered 500 with one JSON line saying
/// what was being done and where to report it, the console gets the same line, never a stack trace, and the server
/// goes on with the next request. (Expected failures, bad uploads and failed jobs, are answered by <see cref="ServeApi"/>
/// and <see cref="JobScheduler"/> themselves.)
/// </summary>
public static class UnexpectedErrors
{
    /// <summary>Runs <paramref name="next"/>, turning an exception that escapes it into the 500 answer and <paramref name="log"/>'s line.</summary>
    public static async Task Handle(HttpContext context, RequestDelegate next, Action<string>? log)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            var line = RestormerApp.Unexpected(e, $"while answering {context.Request.Method} {context.Request.Path}") + ".";
            log?.Invoke($"error: {line}");
            if (context.Response.HasStarted) return; // part of an answer is out: the connection ends instead
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { error = line });
        }
    }
}

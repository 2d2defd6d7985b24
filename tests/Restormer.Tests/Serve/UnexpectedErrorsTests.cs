using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Restormer.Cli.Serve;

namespace Restormer.Tests.Serve;

/// <summary>The server's boundary for an exception nothing expected: one line for the console and the client, a 500, no stack trace.</summary>
public class UnexpectedErrorsTests
{
    [Fact]
    public async Task AnEscapingExceptionIsA500WithOneLineAndTheReportAddress()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/api/restore";
        context.Response.Body = new MemoryStream();
        var lines = new List<string>();

        await UnexpectedErrors.Handle(context, _ => throw new InvalidOperationException("Sequence contains\nno elements"), lines.Add);

        Assert.Equal(500, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var error = JsonDocument.Parse(context.Response.Body).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith("unexpected InvalidOperationException: Sequence contains\\nno elements while answering POST /api/restore. This is a bug: please report it at ", error);
        Assert.Equal([$"error: {error}"], lines);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task AnAnswerWithoutAnExceptionPassesUnchanged()
    {
        var context = new DefaultHttpContext();
        var lines = new List<string>();
        await UnexpectedErrors.Handle(context, c => { c.Response.StatusCode = 202; return Task.CompletedTask; }, lines.Add);
        Assert.Equal(202, context.Response.StatusCode);
        Assert.Empty(lines);
    }
}

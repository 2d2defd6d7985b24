using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Restormer.Cli.Serve;

/// <summary>
/// The single web page (HTML, CSS, JS) embedded in the assembly, so the server needs no files beside it and the page
/// loads nothing from other sites (its Content-Security-Policy forbids that too).
/// </summary>
public static class PageAssets
{
    private const string ResourcePrefix = "Restormer.Cli.Serve.Page.";

    private static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
    };

    /// <summary>The page's files by name (<c>index.html</c>, <c>app.css</c>, <c>app.js</c>).</summary>
    public static IReadOnlyDictionary<string, byte[]> Files { get; } = Load();

    /// <summary>Sends one of the page's files with headers that keep it self-contained.</summary>
    public static IResult Serve(HttpContext context, string name)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        return Results.Bytes(Files[name], ContentTypes[Path.GetExtension(name)]);
    }

    private static Dictionary<string, byte[]> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, byte[]>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource[ResourcePrefix.Length..]] = copy.ToArray();
        }
        return files;
    }
}

using StackExchange.Redis;

namespace Restormer.Queue;

/// <summary>Where the work queue lives: <c>redis://HOST:PORT[/DB]</c>, turned into the Redis client's settings.</summary>
public static class QueueAddress
{
    /// <summary>Parses <paramref name="url"/>; throws <see cref="ArgumentException"/> saying the expected form.</summary>
    public static ConfigurationOptions Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0
            || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            throw new ArgumentException($"--queue must look like redis://HOST:PORT[/DB] (for example redis://127.0.0.1:6379/0), got '{url}'.");
        var path = uri.AbsolutePath.Trim('/');
        int database = 0;
        if (path.Length > 0 && (!int.TryParse(path, out database) || database < 0))
            throw new ArgumentException($"--queue must look like redis://HOST:PORT[/DB] with a database number after the port, got '{url}'.");
        var options = new ConfigurationOptions
        {
            DefaultDatabase = database,
            // The first connection must work, so a wrong address is reported at once; later drops (a Redis restart) are
            // reconnected by the client while the queue's loops retry.
            AbortOnConnectFail = true,
            // Generous: a worker's machine is busy restoring, and a slow reply is better than a false outage.
            ConnectTimeout = 10000,
            SyncTimeout = 15000,
            ClientName = $"restormer-{Environment.MachineName}-{Environment.ProcessId}",
        };
        options.EndPoints.Add(uri.Host.Trim('[', ']'), uri.IsDefaultPort ? 6379 : uri.Port);
        return options;
    }
}

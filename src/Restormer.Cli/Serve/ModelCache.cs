using System.Collections.Concurrent;
using Restormer.Inference;

namespace Restormer.Cli.Serve;

/// <summary>
/// Loaded models, one <see cref="Restorer"/> per weights file, loaded on first use and kept until the server stops.
/// A file that fails to load is not cached, so fixing it on disk is enough.
/// </summary>
public sealed class ModelCache(RestoreOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Restorer>> loaded = new();

    /// <summary>The model for <paramref name="weightsPath"/>, loading it the first time (thread-safe, loads once).</summary>
    public Restorer Get(string weightsPath)
    {
        var key = Path.GetFullPath(weightsPath);
        var entry = loaded.GetOrAdd(key, path => new Lazy<Restorer>(() => Restorer.Load(task: null, path, options)));
        try
        {
            return entry.Value;
        }
        catch
        {
            loaded.TryRemove(new KeyValuePair<string, Lazy<Restorer>>(key, entry));
            throw;
        }
    }

    /// <summary>Weights files currently loaded.</summary>
    public IReadOnlyCollection<string> LoadedPaths => [.. loaded.Where(e => e.Value.IsValueCreated).Select(e => e.Key)];

    /// <summary>Frees every loaded model's native memory.</summary>
    public void Dispose()
    {
        foreach (var entry in loaded.Values)
            if (entry.IsValueCreated) entry.Value.Dispose();
        loaded.Clear();
    }
}

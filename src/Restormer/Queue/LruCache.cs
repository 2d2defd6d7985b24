namespace Restormer.Queue;

/// <summary>
/// At most <c>capacity</c> disposable values by key; making room disposes the least recently used. A worker meets any
/// number of models and option sets over its life, and each loaded model holds its weights in native memory, so a
/// cache without a bound grows for ever. Not thread-safe: a worker runs one job at a time.
/// </summary>
internal sealed class LruCache<T>(int capacity) : IDisposable where T : IDisposable
{
    private readonly int capacity = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Keep at least one value.");
    private readonly LinkedList<(string Key, T Value)> order = new(); // most recently used first
    private readonly Dictionary<string, LinkedListNode<(string Key, T Value)>> byKey = new();

    /// <summary>Values held now (at most the capacity).</summary>
    public int Count => byKey.Count;

    /// <summary>
    /// The value for <paramref name="key"/>; when absent, the least recently used are disposed until there is room and
    /// then <paramref name="load"/> makes it (so no more than the capacity are ever alive at once). A load that throws
    /// caches nothing.
    /// </summary>
    public T Get(string key, Func<T> load)
    {
        if (byKey.TryGetValue(key, out var node))
        {
            order.Remove(node);
            order.AddFirst(node);
            return node.Value.Value;
        }
        while (byKey.Count >= capacity)
        {
            var last = order.Last!;
            order.RemoveLast();
            byKey.Remove(last.Value.Key);
            last.Value.Value.Dispose();
        }
        var value = load();
        byKey[key] = order.AddFirst((key, value));
        return value;
    }

    public void Dispose()
    {
        foreach (var (_, value) in order) value.Dispose();
        order.Clear();
        byKey.Clear();
    }
}

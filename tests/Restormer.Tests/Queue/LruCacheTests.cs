using Restormer.Queue;

namespace Restormer.Tests.Queue;

/// <summary>The worker's model cache: bounded by count, least recently used out, and what goes out is disposed.</summary>
public class LruCacheTests
{
    private sealed class Model(string name) : IDisposable
    {
        public string Name { get; } = name;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = !Disposed ? true : throw new InvalidOperationException($"{Name} disposed twice");
    }

    [Fact]
    public void AFullCacheDisposesTheLeastRecentlyUsedBeforeLoadingAnother()
    {
        using var cache = new LruCache<Model>(2);
        var made = new List<Model>();
        Model Get(string key) => cache.Get(key, () =>
        {
            Assert.True(made.Count(m => !m.Disposed) < 2, "a third model was loaded while two were alive");
            made.Add(new Model(key));
            return made[^1];
        });

        var a = Get("a");
        var b = Get("b");
        Assert.Same(a, Get("a")); // a is now the most recent
        var c = Get("c");         // so b goes
        Assert.True(b.Disposed);
        Assert.False(a.Disposed);
        Assert.Equal(2, cache.Count);
        Assert.Same(a, Get("a"));
        Assert.Same(c, Get("c"));
        Assert.NotSame(b, Get("b")); // loaded again, a goes
        Assert.True(a.Disposed);
        Assert.Equal(4, made.Count);
        Assert.Equal(2, cache.Count);

        cache.Dispose();
        Assert.All(made, m => Assert.True(m.Disposed));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ALoadThatThrowsCachesNothing()
    {
        using var cache = new LruCache<Model>(1);
        Assert.Throws<IOException>(() => cache.Get("broken", () => throw new IOException("not a checkpoint")));
        Assert.Equal(0, cache.Count);
        Assert.Equal("broken", cache.Get("broken", () => new Model("broken")).Name);
    }

    [Fact]
    public void ACapacityBelowOneIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LruCache<Model>(0));
}

using System.Globalization;

namespace Restormer.Training.Options;

/// <summary>
/// One mapping of an option file with typed, checked access. It remembers which keys were read so that the keys
/// nobody read can be reported as unknown (a typo such as <c>total_iters</c> must not pass silently), and every error
/// names the file and the dotted option path.
/// </summary>
public sealed class OptionMap
{
    readonly Dictionary<string, object?> values;
    readonly HashSet<string> used = [];
    readonly Dictionary<string, OptionMap> children = [];

    internal OptionMap(Dictionary<string, object?> values, string source, string path)
    {
        this.values = values;
        Source = source;
        Path = path;
    }

    /// <summary>The option file this map came from.</summary>
    public string Source { get; }

    /// <summary>The dotted path of this map inside the file ("" for the root).</summary>
    public string Path { get; }

    /// <summary>The keys in file order.</summary>
    public IEnumerable<string> Keys => values.Keys;

    /// <summary>Whether <paramref name="key"/> is present with a non-null value.</summary>
    public bool Has(string key) => values.TryGetValue(key, out var v) && v is not null;

    /// <summary>The dotted path of <paramref name="key"/>, for messages.</summary>
    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Reads an optional value; <paramref name="fallback"/> when the key is absent or null (<c>~</c>).</summary>
    public T Get<T>(string key, T fallback)
    {
        used.Add(key);
        return values.TryGetValue(key, out var v) && v is not null ? ConvertValue<T>(v, key) : fallback;
    }

    /// <summary>Reads a value that must be present.</summary>
    public T Require<T>(string key)
    {
        used.Add(key);
        if (!values.TryGetValue(key, out var v) || v is null)
            throw new OptionException($"{Source}: option '{PathOf(key)}' is required but missing.");
        return ConvertValue<T>(v, key);
    }

    /// <summary>A nested mapping, or null when absent or <c>~</c>.</summary>
    public OptionMap? Map(string key)
    {
        used.Add(key);
        if (children.TryGetValue(key, out var existing))
            return existing;
        if (!values.TryGetValue(key, out var v) || v is null)
            return null;
        if (v is not Dictionary<string, object?> dict)
            throw new OptionException($"{Source}: option '{PathOf(key)}' must be a mapping of key: value lines.");
        return children[key] = new OptionMap(dict, Source, PathOf(key));
    }

    /// <summary>A nested mapping that must be present.</summary>
    public OptionMap RequireMap(string key) =>
        Map(key) ?? throw new OptionException($"{Source}: section '{PathOf(key)}' is required but missing.");

    /// <summary>
    /// The plain value tree under <paramref name="key"/> (maps are <see cref="IDictionary{TKey,TValue}"/>), handed as a
    /// whole to a component that checks its own keys (e.g. a degradation pipeline).
    /// </summary>
    public object? Raw(string key)
    {
        used.Add(key);
        return values.GetValueOrDefault(key);
    }

    /// <summary>Accepts keys of the reference layout that have no effect here, so they are not reported as unknown.</summary>
    public void Accept(params string[] keys) => used.UnionWith(keys);

    /// <summary>Dotted paths of every key in this map and the nested maps read through it that nobody read.</summary>
    public IEnumerable<string> UnusedKeys()
    {
        foreach (var key in values.Keys)
        {
            if (!used.Contains(key))
                yield return PathOf(key);
            else if (children.TryGetValue(key, out var child))
                foreach (var nested in child.UnusedKeys())
                    yield return nested;
        }
    }

    T ConvertValue<T>(object value, string key)
    {
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        object? converted = target switch
        {
            _ when target == typeof(string) => value as string ?? ScalarText(value),
            _ when target == typeof(bool) => value as bool?,
            _ when target == typeof(int) => ToInt(value),
            _ when target == typeof(long) => ToLong(value),
            _ when target == typeof(double) => ToDouble(value),
            _ when target == typeof(int[]) => ToArray(value, ToInt),
            _ when target == typeof(double[]) => ToArray(value, ToDouble),
            _ => throw new NotSupportedException($"Option type {typeof(T)} is not supported."),
        };
        if (converted is null)
            throw new OptionException($"{Source}: option '{PathOf(key)}' must be {Describe(target)}, but is '{Show(value)}'.");
        return (T)converted;
    }

    static string? ScalarText(object value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => null,
    };

    static object? ToLong(object value) => value switch
    {
        long l => l,
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (long)d,
        _ => null,
    };

    static object? ToInt(object value) =>
        ToLong(value) is long l && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    static object? ToDouble(object value) => value switch
    {
        long l => (double)l,
        double d => d,
        _ => null,
    };

    static object? ToArray(object value, Func<object, object?> element)
    {
        var items = value as List<object?> ?? [value];
        var converted = items.Select(i => i is null ? null : element(i)).ToList();
        if (converted.Any(c => c is null))
            return null;
        return element == ToInt
            ? converted.Cast<int>().ToArray()
            : converted.Cast<double>().ToArray();
    }

    static string Describe(Type t) =>
        t == typeof(string) ? "text" :
        t == typeof(bool) ? "true or false" :
        t == typeof(int) || t == typeof(long) ? "a whole number" :
        t == typeof(double) ? "a number" :
        t == typeof(int[]) ? "a list of whole numbers like [1, 2]" :
        "a list of numbers like [0.5, 1]";

    static string Show(object value) => value switch
    {
        List<object?> list => "[" + string.Join(", ", list.Select(i => i is null ? "~" : Show(i))) + "]",
        Dictionary<string, object?> => "a mapping",
        _ => ScalarText(value) ?? value.ToString() ?? "",
    };
}

using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Restormer.Training.Options;

/// <summary>
/// Reads a basicsr-style option file into plain values (ordered maps, lists, strings, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <c>null</c>), resolving untagged scalars the way PyYAML does for the
/// reference (<c>~</c> and <c>null</c> are null, <c>true/false/yes/no/on/off</c> are booleans, explicit tags such as
/// <c>!!float 3e-4</c> win). Unlike PyYAML, an untagged <c>3e-4</c> is also read as a number, which is what users mean.
/// Reading is bounded: the file's size, the nesting depth and the number of values after aliases are expanded all
/// have limits far above any real option file, so an alias bomb ("billion laughs") fails at once with a message.
/// </summary>
public static partial class YamlOptionReader
{
    const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>Largest option file read (the published ones are under 10 KB).</summary>
    public const long MaxFileBytes = 256 << 10;
    /// <summary>Most values (scalars, lists, maps) in the read tree, aliases expanded.</summary>
    public const int MaxValues = 100_000;
    /// <summary>Deepest nesting of lists and maps.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses <paramref name="path"/>; the root must be a mapping.</summary>
    public static OptionMap Load(string path)
    {
        if (Restormer.IO.FileKind.NotRegular(path) is { } kind)
            throw new OptionException(kind == "missing"
                ? $"Option file '{path}' does not exist; pass the path of a YAML option file."
                : $"Option file '{path}' is {kind}, not a file; pass the path of a YAML option file.");
        if (new FileInfo(path).Length > MaxFileBytes)
            throw new OptionException($"Option file '{path}' is {new FileInfo(path).Length:N0} bytes, over the {MaxFileBytes:N0} an option file may have: is it the right file?");
        return Parse(new StringReader(File.ReadAllText(path)), path);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in error messages.</summary>
    public static OptionMap Parse(TextReader text, string source)
    {
        var stream = new YamlStream();
        try
        {
            var yaml = text.ReadToEnd();
            CheckDepth(yaml, source);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new OptionException($"{source}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException and not OptionException)
        {
            // YamlDotNet fails this way on some malformed text (found by the fuzz suite) instead of with a YamlException.
            throw new OptionException($"{source}: invalid YAML (the parser stopped: {e.Message.TrimEnd('.')}); check the quotes, brackets and indentation.", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new OptionException($"{source}: the option file must be a YAML mapping (key: value lines).");
        return new OptionMap((Dictionary<string, object?>)Convert(root, new Budget(source), "", 0)!, source, "");
    }

    /// <summary>
    /// Walks the parser's events (no tree, no recursion) to refuse deep nesting before YamlDotNet's recursive
    /// representation model could overflow the stack on it.
    /// </summary>
    static void CheckDepth(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart && ++depth > MaxDepth)
                throw new OptionException($"{source}: lists and maps are nested more than {MaxDepth} levels deep at line {parser.Current.Start.Line}.");
            if (parser.Current is YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd)
                depth--;
        }
    }

    /// <summary>Counts values as the tree is built: aliases share nodes in YAML but are copied here.</summary>
    sealed class Budget(string source)
    {
        int values;
        public string Source { get; } = source;

        public void Take(string path, int depth)
        {
            if (++values > MaxValues)
                throw new OptionException($"{Source}: more than {MaxValues:N0} values once aliases (*name) are expanded, at '{path}': an option file needs far fewer; remove the nested aliases.");
            if (depth > MaxDepth)
                throw new OptionException($"{Source}: option '{path}' is nested more than {MaxDepth} levels deep.");
        }
    }

    static object? Convert(YamlNode node, Budget budget, string path, int depth)
    {
        budget.Take(path, depth);
        return node switch
        {
            YamlMappingNode map => ConvertMap(map, budget, path, depth),
            YamlSequenceNode seq => seq.Children.Select((c, i) => Convert(c, budget, $"{path}[{i}]", depth + 1)).ToList(),
            YamlScalarNode scalar => ConvertScalar(scalar, budget.Source, path),
            _ => throw new OptionException($"{budget.Source}: option '{path}' uses an unsupported YAML construct."),
        };
    }

    static Dictionary<string, object?> ConvertMap(YamlMappingNode map, Budget budget, string path, int depth)
    {
        var source = budget.Source;
        var result = new Dictionary<string, object?>();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((keyNode as YamlScalarNode)?.Value)
                ?? throw new OptionException($"{source}: a key under '{path}' is not a plain name.");
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!result.TryAdd(key, Convert(valueNode, budget, childPath, depth + 1)))
                throw new OptionException($"{source}: option '{childPath}' is given twice.");
        }
        return result;
    }

    static object? ConvertScalar(YamlScalarNode scalar, string source, string path)
    {
        var text = scalar.Value ?? "";
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
            return ConvertTagged(scalar.Tag.Value, text, source, path);
        if (scalar.Style != ScalarStyle.Plain)
            return text;
        return ResolvePlain(text);
    }

    static object? ConvertTagged(string tag, string text, string source, string path)
    {
        var name = tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? tag[TagPrefix.Length..] : tag;
        object? value = name switch
        {
            "str" => text,
            "null" => null,
            "bool" => ResolvePlain(text) as bool?,
            "int" => ResolvePlain(text) as long?,
            "float" => ResolvePlain(text) switch { long l => (double)l, double d => d, _ => null },
            _ => throw new OptionException($"{source}: option '{path}' has the unsupported tag '{tag}'."),
        };
        if (value is null && name != "null")
            throw new OptionException($"{source}: option '{path}' is tagged !!{name} but '{text}' is not a valid {name}.");
        return value;
    }

    /// <summary>Resolves an untagged plain scalar (YAML 1.1 core types, as PyYAML).</summary>
    internal static object? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }
        var plain = text.Replace("_", "");
        if (IntPattern().IsMatch(plain) && long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return integer;
        if (plain.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(plain[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            return hex;
        if (FloatPattern().IsMatch(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            return real;
        return text;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Restormer.IO;

/// <summary>
/// The one JSON style of every file and record the project writes: snake_case keys (as the reference's option files
/// and metric names), nulls left out.
/// </summary>
public static class JsonStyle
{
    /// <summary>For files people read: indented.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>For one record per line (JSON Lines).</summary>
    public static JsonSerializerOptions Line { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

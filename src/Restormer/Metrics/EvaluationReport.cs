using System.Globalization;
using System.Text;
using System.Text.Json;
using Restormer.IO;

namespace Restormer.Metrics;

/// <summary>
/// The per-image scores of an evaluation and their mean, written as JSON or CSV. PSNR of identical images is +∞,
/// which JSON cannot hold as a number: it is written as the string <c>"Infinity"</c> in both formats.
/// </summary>
public sealed class EvaluationReport(IReadOnlyList<EvaluationEntry> entries, int cropBorder, bool yChannel, string protocol = "default")
{
    /// <summary>The <see cref="EvaluationProtocol"/> name.</summary>
    public string Protocol { get; } = protocol;

    /// <summary>The evaluated pairs in order.</summary>
    public IReadOnlyList<EvaluationEntry> Entries { get; } = entries;

    /// <summary>Border pixels dropped before measuring.</summary>
    public int CropBorder { get; } = cropBorder;

    /// <summary>Whether the scores are on the Y channel instead of all channels.</summary>
    public bool YChannel { get; } = yChannel;

    /// <summary>Mean over the measured pairs; null when none could be measured.</summary>
    public ImageScores? Mean { get; } = ImageScores.Mean(entries.Where(e => e.Scores != null).Select(e => e.Scores!).ToList());

    /// <summary>True when some pair could not be measured.</summary>
    public bool HasErrors => Entries.Any(e => e.Error != null);

    /// <summary>
    /// Writes <c>{protocol, crop_border, y_channel, images: [{name, psnr, ssim, ssim_3d} or {name, error}], mean: {psnr,
    /// ssim, ssim_3d}}</c> atomically; <c>ssim</c> is the per-channel Gaussian SSIM, <c>ssim_3d</c> the reference's
    /// (under a named protocol, <c>ssim</c> is that protocol's SSIM and <c>ssim_3d</c> is absent).
    /// </summary>
    public void WriteJson(string path) => AtomicFile.Write(path, (Stream stream) =>
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("protocol", Protocol);
        json.WriteNumber("crop_border", CropBorder);
        json.WriteBoolean("y_channel", YChannel);
        json.WriteStartArray("images");
        foreach (var entry in Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", entry.Name);
            if (entry.Scores != null) WriteScores(json, entry.Scores);
            else json.WriteString("error", entry.Error);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WritePropertyName("mean");
        if (Mean == null) json.WriteNullValue();
        else
        {
            json.WriteStartObject();
            WriteScores(json, Mean);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    });

    /// <summary>Writes one row per image with columns <c>name,psnr,ssim,ssim_3d,error</c>, atomically.</summary>
    public void WriteCsv(string path) => AtomicFile.Write(path, (Stream stream) =>
    {
        using var csv = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        csv.WriteLine("name,psnr,ssim,ssim_3d,error");
        foreach (var entry in Entries)
        {
            var s = entry.Scores;
            string[] cells = [entry.Name, Format(s?.Psnr), Format(s?.Ssim), Format(s?.Ssim3D), entry.Error ?? ""];
            csv.WriteLine(string.Join(',', cells.Select(CsvField)));
        }
    });

    static void WriteScores(Utf8JsonWriter json, ImageScores scores)
    {
        WriteNumber(json, "psnr", scores.Psnr);
        WriteNumber(json, "ssim", scores.Ssim);
        if (scores.Ssim3D is { } ssim3D)
            WriteNumber(json, "ssim_3d", ssim3D);
    }

    static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteString(name, Format(value));
    }

    static string Format(double? value) => value switch
    {
        null => "",
        double.PositiveInfinity => "Infinity",
        _ => value.Value.ToString("R", CultureInfo.InvariantCulture),
    };

    static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";
}

using System.Globalization;
using System.Text.Json;
using Restormer.IO;
using Restormer.Metrics;

namespace Restormer.Validation;

/// <summary>One condition's result: PSNR of the degraded inputs and of the restored images against the targets.</summary>
/// <param name="Condition">The condition's folder name.</param>
/// <param name="Pairs">Pairs scored.</param>
/// <param name="InputPsnr">Mean PSNR (dB) of the degraded inputs.</param>
/// <param name="RestoredPsnr">Mean PSNR (dB) of the restored images.</param>
/// <param name="WorstGain">The smallest per-image gain (dB): negative when some image got worse.</param>
/// <param name="Worse">Images that ended more than 0.1 dB below their input.</param>
public sealed record ConditionScore(string Condition, int Pairs, double InputPsnr, double RestoredPsnr, double WorstGain, int Worse)
{
    /// <summary>Mean gain in dB.</summary>
    public double Gain => RestoredPsnr - InputPsnr;
}

/// <summary>
/// Scores a restored <see cref="ValidationSuite"/> per condition: for each condition folder
/// (<c>SUITE/&lt;condition&gt;/input|target</c>) and its restored images (<c>RESULTS/&lt;condition&gt;/</c>), the mean
/// PSNR before and after, the worst per-image gain and how many images got worse, as a table and as JSON.
/// </summary>
public sealed class SuiteReport(IReadOnlyList<ConditionScore> conditions)
{
    /// <summary>Per-condition scores, in suite order.</summary>
    public IReadOnlyList<ConditionScore> Conditions { get; } = conditions;

    /// <summary>The condition folders of a suite: sub-folders holding both input/ and target/, in name order.</summary>
    public static IReadOnlyList<string> ConditionFolders(string suiteFolder) =>
        Directory.Exists(suiteFolder)
            ? Directory.GetDirectories(suiteFolder).Where(d => Directory.Exists(Path.Combine(d, "input")) && Directory.Exists(Path.Combine(d, "target")))
                .Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Scores one condition's restored folder against its inputs and targets.</summary>
    public static ConditionScore Score(string conditionFolder, string restoredFolder)
    {
        var targets = Path.Combine(conditionFolder, "target");
        var before = Psnrs(Path.Combine(conditionFolder, "input"), targets);
        var after = Psnrs(restoredFolder, targets);
        var names = before.Keys.Where(after.ContainsKey).ToList();
        if (names.Count == 0) throw new InvalidDataException($"No restored image in '{restoredFolder}' matches a pair of '{conditionFolder}'.");
        var gains = names.Select(n => after[n] - before[n]).ToList();
        return new ConditionScore(Path.GetFileName(Path.TrimEndingDirectorySeparator(conditionFolder)), names.Count,
            names.Average(n => before[n]), names.Average(n => after[n]), gains.Min(), gains.Count(g => g < -0.1));
    }

    /// <summary>The table as Markdown: one row per condition and the mean over conditions.</summary>
    public string ToMarkdown()
    {
        var lines = new List<string>
        {
            "| condition | pairs | input PSNR | restored PSNR | gain | worst image | worse by > 0.1 dB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        };
        lines.AddRange(Conditions.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"| {c.Condition} | {c.Pairs} | {c.InputPsnr:F2} | {c.RestoredPsnr:F2} | {Signed(c.Gain)} | {Signed(c.WorstGain)} | {c.Worse} |")));
        if (Conditions.Count > 1)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| mean | {Conditions.Sum(c => c.Pairs)} | {Conditions.Average(c => c.InputPsnr):F2} | {Conditions.Average(c => c.RestoredPsnr):F2} | {Signed(Conditions.Average(c => c.Gain))} | {Signed(Conditions.Min(c => c.WorstGain))} | {Conditions.Sum(c => c.Worse)} |"));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// A gain in dB with its sign, two decimals. Rounded first: .NET formats a small negative value that rounds to zero
    /// with the positive section behind a minus sign ("-+0.00").
    /// </summary>
    internal static string Signed(double db)
    {
        double rounded = Math.Round(db, 2);
        return (rounded == 0 ? 0 : rounded).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes <see cref="ToMarkdown"/> to a file.</summary>
    public void WriteMarkdown(string path) => AtomicFile.Write(path, (string temp) => File.WriteAllText(temp, ToMarkdown() + Environment.NewLine));

    /// <summary>Writes the scores as JSON (snake_case keys, one object per condition).</summary>
    public void WriteJson(string path) => AtomicFile.Write(path, (Stream stream) =>
        JsonSerializer.Serialize(stream, Conditions.Select(c => new
        {
            condition = c.Condition, pairs = c.Pairs, input_psnr = c.InputPsnr, restored_psnr = c.RestoredPsnr,
            gain = c.Gain, worst_gain = c.WorstGain, worse = c.Worse,
        }), new JsonSerializerOptions { WriteIndented = true }));

    static Dictionary<string, double> Psnrs(string folder, string targets)
    {
        var pairs = ImagePairs.FromFolders(folder, targets).Matched;
        return pairs.Select(p => EvaluationEntry.Measure(p, 0, false))
            .Where(e => e.Scores is not null)
            .ToDictionary(e => e.Name, e => e.Scores!.Psnr);
    }
}

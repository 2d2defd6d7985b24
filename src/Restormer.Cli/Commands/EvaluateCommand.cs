using System.CommandLine;
using System.Globalization;
using Restormer.Metrics;
using Restormer.Validation;

namespace Restormer.Cli.Commands;

/// <summary>
/// <c>evaluate</c>: PSNR and SSIM of restored images against references, matched by file name, as the Restormer
/// reference computes them (images read by OpenCV in BGR order; 16-bit files at full depth scaled to 0..255), either
/// every convention or, with <c>--protocol</c>, the two numbers of a paper table (<see cref="EvaluationProtocol"/>).
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command; output goes to the invocation's Output/Error writers so tests can capture it.</summary>
    public static Command Create()
    {
        var restored = new Option<DirectoryInfo>("--restored") { Description = "Folder of restored images.", Required = true };
        var reference = new Option<DirectoryInfo>("--reference") { Description = "Folder of ground-truth images; files are matched by name without extension. A validation suite (degrade --suite) is scored per condition against --restored/<condition>/.", Required = true };
        var json = new Option<FileInfo?>("--json") { Description = "Also write per-image scores and the mean as JSON." };
        var csv = new Option<FileInfo?>("--csv") { Description = "Also write per-image scores as CSV." };
        var crop = new Option<int>("--crop") { Description = "Border pixels to drop on every edge before measuring (the reference's crop_border).", DefaultValueFactory = _ => 0 }.Within(0, 4096);
        var y = new Option<bool>("--y") { Description = "Measure on the Y channel of YCbCr (ITU-R BT.601) instead of all colour channels." };
        var protocol = new Option<string>("--protocol")
        {
            Description = "How the paper computed its table: gopro (also hide: PSNR and 3-D SSIM on RGB), realblur (ECC alignment, masked PSNR and SSIM), "
                + "deraining (PSNR and SSIM on Y); default reports every convention and takes --crop and --y.",
            DefaultValueFactory = _ => "default",
        };
        protocol.AcceptOnlyFromAmong(["default", .. EvaluationProtocol.Named.Keys]);
        var command = new Command("evaluate", "PSNR, SSIM (per-channel Gaussian, as scikit-image) and SSIM-3D (the Restormer training code's) of restored images against references. "
            + "Images are read by OpenCV in BGR order; 16-bit files at full depth, scaled to 0..255. PSNR of identical images is written as \"Infinity\".")
        {
            restored, reference, json, csv, crop, y, protocol,
        };
        command.SetAction(parse => Cli.Run(parse, cli => Run(cli, parse.GetRequiredValue(restored), parse.GetRequiredValue(reference),
            parse.GetValue(json), parse.GetValue(csv), parse.GetValue(crop), parse.GetValue(y), parse.GetValue(protocol)!)));
        return command;
    }

    internal static int Run(Cli cli, DirectoryInfo restored, DirectoryInfo reference, FileInfo? json, FileInfo? csv, int crop, bool y, string protocolName = "default")
    {
        TextWriter output = cli.Out, error = cli.Err;
        {
            var protocol = protocolName == "default" ? EvaluationProtocol.Default(crop, y)
                : crop == 0 && !y ? EvaluationProtocol.Named[protocolName]
                : throw new ArgumentException($"--protocol {protocolName} fixes its own crop and colour space; drop --crop and --y.");
            if (SuiteReport.ConditionFolders(reference.FullName) is { Count: > 0 } conditions)
            {
                var suite = new SuiteReport(conditions.Select(c => SuiteReport.Score(c, Path.Combine(restored.FullName, Path.GetFileName(c)))).ToList());
                if (json != null) suite.WriteJson(json.FullName);
                output.WriteLine(suite.ToMarkdown());
                return 0;
            }
            var pairs = ImagePairs.FromFolders(restored.FullName, reference.FullName);
            foreach (var stem in pairs.OnlyRestored) error.WriteLine($"warning: '{stem}' is in --restored but has no reference in '{reference.FullName}'; skipped.");
            foreach (var stem in pairs.OnlyReference) error.WriteLine($"warning: '{stem}' is in --reference but has no restored image in '{restored.FullName}'; skipped.");
            if (pairs.Matched.Count == 0)
                throw new InvalidDataException($"No image in '{restored.FullName}' has a counterpart with the same name (any image extension) in '{reference.FullName}'.");

            var report = Evaluate(pairs.Matched, protocol, crop, y, output);
            if (json != null) report.WriteJson(json.FullName);
            if (csv != null) report.WriteCsv(csv.FullName);
            foreach (var failed in report.Entries.Where(e => e.Error != null))
                error.WriteLine($"error: {failed.Name}: {failed.Error}");
            return report.HasErrors ? 1 : 0;
        }
    }

    /// <summary>Measures every pair, printing each row as it completes, then the mean.</summary>
    static EvaluationReport Evaluate(IReadOnlyList<ImagePair> pairs, EvaluationProtocol protocol, int crop, bool y, TextWriter output)
    {
        var width = Math.Max(pairs.Max(p => p.Name.Length), "mean".Length);
        output.WriteLine($"{pairs.Count} image pairs, {protocol.Description}");
        output.WriteLine($"{"name".PadRight(width)}  {"PSNR",9}  {"SSIM",8}{(protocol.Name == "default" ? $"  {"SSIM-3D",8}" : "")}");
        var entries = new List<EvaluationEntry>();
        foreach (var pair in pairs)
        {
            var entry = EvaluationEntry.Measure(pair, protocol);
            entries.Add(entry);
            output.WriteLine(Row(pair.Name, width, entry.Scores, entry.Error));
        }
        var report = new EvaluationReport(entries, crop, y, protocol.Name);
        output.WriteLine(Row("mean", width, report.Mean, report.Mean == null ? "no pair could be measured" : null));
        return report;
    }

    static string Row(string name, int width, ImageScores? scores, string? failure) => scores == null
        ? $"{name.PadRight(width)}  error: {failure}"
        : string.Create(CultureInfo.InvariantCulture, $"{name.PadRight(width)}  {scores.Psnr,9:F4}  {scores.Ssim,8:F5}{(scores.Ssim3D is { } ssim3D ? $"  {ssim3D,8:F5}" : "")}");
}

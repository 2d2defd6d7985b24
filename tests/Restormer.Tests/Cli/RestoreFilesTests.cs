using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using OpenCvSharp;
using Restormer.Cli.Commands;

namespace Restormer.Tests.Cli;

/// <summary><c>restore</c>'s inputs and outputs as users give them: files, patterns, folders, streams, formats, and the exit codes.</summary>
public sealed class RestoreFilesTests : IDisposable
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
    private readonly string root = TestPaths.NewTempDir("restormer-files");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string At(string relative) => Path.Combine(root, relative);

    /// <summary>A small crop of a test photo at <paramref name="relative"/> (format from the extension).</summary>
    private string Photo(string relative, int width = 24, int height = 16)
    {
        var path = At(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var photo = Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "sharp", "cbsd68", "101087.png"));
        using var small = photo.Resize(new Size(width, height), interpolation: InterpolationFlags.Area);
        Cv2.ImWrite(path, small);
        return path;
    }

    private static CliRunner.Result Restore(params string[] args) => CliRunner.Run(RestoreCommand.Create(), ["-w", TinyWeights, .. args]);

    [Fact]
    public void OutputFileForOneInputWithTheFormatFromItsExtension()
    {
        var input = Photo("in/a.png");
        var result = Restore(input, "-o", At("result.jpg"), "--quality", "80");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.True(File.Exists(At("result.jpg")));
        Assert.Equal([0xFF, 0xD8], File.ReadAllBytes(At("result.jpg"))[..2]); // JPEG, not a folder
        result = Restore(input, "-o", At("forced.jpg"), "--format", "png");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([0x89, (byte)'P'], File.ReadAllBytes(At("forced.jpg"))[..2]);
    }

    [Theory]
    [InlineData("webp", "RIFF")]
    [InlineData("tiff", "II*")]
    public void FormatsByName(string format, string magic)
    {
        Photo("in/a.png");
        var result = Restore(At("in"), "-o", At("out"), "--format", format);
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        var file = Assert.Single(Directory.GetFiles(At("out")));
        Assert.StartsWith(magic, System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file)[..magic.Length]));
        using var back = Cv2.ImRead(file);
        Assert.Equal(new Size(24, 16), back.Size());
    }

    [Fact]
    public void FileNamesWithControlCharactersStayOneLineAndCannotDriveTheTerminal()
    {
        Photo("in/two\nlines.png");
        File.WriteAllBytes(At("in/\u001b[2Jbroken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']); // ESC[2J clears a terminal
        var result = Restore(At("in"), "-o", At("out"));
        Assert.Equal(1, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\u001b', result.Out + result.Err);
        Assert.Contains(lines, l => l.StartsWith("ok   ") && l.Contains("two\\nlines.png"));
        Assert.Contains(lines, l => l.StartsWith("FAIL ") && l.Contains("\\x1B[2Jbroken.png"));
        Assert.Contains(lines, l => l.StartsWith("1 of 2 image(s) restored") && l.Contains("\\x1B[2Jbroken.png"));
        Assert.True(File.Exists(At("out/two\nlines.png"))); // the file itself keeps its name
    }

    [Fact]
    public void SeveralInputsPatternsAndRecursiveFoldersWithTheTreeMirrored()
    {
        Photo("one.png");
        Photo("pat/p1.png");
        Photo("pat/p2.png");
        Photo("pat/skip.jpg");
        Photo("tree/top.png");
        Photo("tree/2024/05/deep.png");
        var result = Restore("-i", At("one.png"), At("pat/p*.png"), "-i", At("tree"), "--recursive", "-o", At("out"));
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        string[] expected = ["2024/05/deep.png", "one.png", "p1.png", "p2.png", "top.png"];
        Assert.Equal(expected, Directory.GetFiles(At("out"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(At("out"), f)).Order());
        Assert.Contains("5 of 5 image(s) restored", result.Out);
    }

    [Fact]
    public void ExistingOutputsStopTheRunBeforeTheModelIsLoaded()
    {
        Photo("in/a.png");
        Photo("in/b.png");
        Directory.CreateDirectory(At("out"));
        File.WriteAllText(At("out/a.png"), "earlier result");
        // A weights file that does not exist: the refusal must come first, before any work.
        var result = CliRunner.Run(RestoreCommand.Create(), At("in"), "-o", At("out"), "-w", At("missing.pth"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(At("out/a.png"), result.Err);
        Assert.Contains("--overwrite", result.Err);
        Assert.Contains("--skip-existing", result.Err);
        Assert.Equal("earlier result", File.ReadAllText(At("out/a.png")));
        Assert.False(File.Exists(At("out/b.png")));

        result = Restore(At("in"), "-o", At("out"), "--skip-existing");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("earlier result", File.ReadAllText(At("out/a.png")));
        Assert.True(File.Exists(At("out/b.png")));

        result = Restore(At("in"), "-o", At("out"), "--overwrite");
        Assert.Equal(0, result.ExitCode);
        Assert.NotEqual("earlier result", File.ReadAllText(At("out/a.png")));
    }

    [Fact]
    public void JsonGivesOneRecordPerImageOnStandardOutputAndQuietPrintsNothing()
    {
        Photo("in/a.png");
        File.WriteAllText(At("in/notes.txt"), "not an image");
        var result = Restore(At("in"), "-o", At("out"), "--json");
        Assert.Equal(1, result.ExitCode);
        var records = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("ok", records[0].GetProperty("status").GetString());
        Assert.Equal(At("out/a.png"), records[0].GetProperty("output").GetString());
        Assert.True(records[0].GetProperty("seconds").GetDouble() > 0);
        Assert.Equal("failed", records[1].GetProperty("status").GetString());
        Assert.Contains("notes.txt", records[1].GetProperty("error").GetString());
        Assert.Contains("1 of 2 image(s) restored", result.Err); // the summary moved to standard error

        result = Restore(At("in/a.png"), "-o", At("quiet.png"), "--quiet");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public void UsageErrorsExit2WithTheErrorBeforeTheUsageNamingRestormer()
    {
        var result = CliRunner.RunApp("restore", "--qualty", "80", At("x.png"));
        Assert.Equal(2, result.ExitCode);
        var lines = result.Err.Split('\n');
        Assert.StartsWith("error: Unrecognized", lines[0]);
        int usage = Array.FindIndex(lines, l => l.StartsWith("Usage:"));
        Assert.True(usage > 0);
        Assert.Contains("restormer restore", lines[usage + 1]);
        Assert.DoesNotContain("Restormer.Cli", result.Err);

        Assert.Equal(2, CliRunner.RunApp("restore", At("x.png"), "--quality", "101").ExitCode);
        Assert.Equal(2, CliRunner.RunApp("restore", At("x.png"), "--format", "gif").ExitCode);
        Assert.Equal(2, CliRunner.RunApp("restore", At("x.png"), "--overwrite", "--skip-existing").ExitCode);
        Assert.Equal(2, CliRunner.RunApp("no-such-command").ExitCode);
    }

    [Fact]
    public void HelpDocumentsTheExitCodesAndNamesTheProgram()
    {
        var result = CliRunner.RunApp("restore", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("restormer restore", result.Out);
        foreach (var code in new[] { "0 every image restored", "1 some images failed", "2 usage or set-up error", "130 interrupted" })
            Assert.Contains(code, result.Out);
    }

    [Fact]
    public void VersionIsThePackageVersion()
    {
        var props = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;
        var result = CliRunner.RunApp("--version");
        Assert.Equal(version, result.Out.Trim());
    }

    [Fact]
    public async Task StandardInputToStandardOutput()
    {
        var input = Photo("in/a.png");
        var cli = Path.Combine(AppContext.BaseDirectory, "Restormer.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "restore", "-", "-o", "-", "--format", "jpg", "-w", TinyWeights])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var image = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(image);
        using (var stdin = process.StandardInput.BaseStream)
            await stdin.WriteAsync(await File.ReadAllBytesAsync(input));
        await copy;
        await process.WaitForExitAsync();
        var messages = await error;
        Assert.True(process.ExitCode == 0, messages);
        using var decoded = Cv2.ImDecode(image.ToArray(), ImreadModes.Color);
        Assert.Equal(new Size(24, 16), decoded.Size());
        Assert.Equal([0xFF, 0xD8], image.ToArray()[..2]);
        Assert.Contains("1 of 1 image(s) restored", messages); // messages go to standard error
    }
}

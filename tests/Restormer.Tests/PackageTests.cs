using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Restormer.Tests;

/// <summary>The library package's metadata and front page, asked of MSBuild as <c>dotnet pack</c> would see them.</summary>
public class PackageTests
{
    private static readonly string Library = Path.Combine(TestPaths.RepoRoot, "src", "Restormer", "Restormer.csproj");

    private static string Msbuild(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", ["msbuild", Library, "-nologo", "-nodeReuse:false", .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + error);
        return output;
    }

    [Fact]
    public void LicenceProjectAddressAndOneVersion()
    {
        var properties = JsonDocument.Parse(Msbuild("-getProperty:PackageLicenseExpression", "-getProperty:PackageProjectUrl", "-getProperty:Version"))
            .RootElement.GetProperty("Properties");
        Assert.Equal("MIT", properties.GetProperty("PackageLicenseExpression").GetString());
        Assert.StartsWith("https://", properties.GetProperty("PackageProjectUrl").GetString());
        Assert.Equal(Restormer.Cli.RestormerApp.Version, properties.GetProperty("Version").GetString());
        var licence = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "LICENSE"));
        Assert.StartsWith("MIT License", licence);
        Assert.Contains("Restormer for .NET contributors", licence);
    }

    [Fact]
    public void ThePackedReadmeHasAbsoluteLinksAndIsOtherwiseTheRepositorysReadme()
    {
        var folder = TestPaths.NewTempDir("restormer-pack");
        try
        {
            var url = Msbuild("-getProperty:PackageProjectUrl").Trim(); // one property comes as plain text
            Msbuild("-t:RestormerPackReadme", $"-p:IntermediateOutputPath={folder}/", "-v:q");
            var packed = File.ReadAllText(Path.Combine(folder, "README.md"));
            var original = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));

            var links = Regex.Matches(packed, @"\]\(([^)\s]+)\)").Select(m => m.Groups[1].Value).ToList();
            Assert.Contains($"{url}/blob/main/docs/speed.md", links);
            Assert.Contains($"{url}/raw/main/docs/serve-page.png", links);
            Assert.All(links, link => Assert.Matches("^(https?:|#)", link));
            Assert.Equal(original.TrimEnd(), Regex.Replace(packed, $@"\]\({Regex.Escape(url)}/(blob|raw)/main/", "](").TrimEnd());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

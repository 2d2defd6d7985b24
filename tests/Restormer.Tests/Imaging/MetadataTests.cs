using NetVips;
using Restormer.Cli.Commands;
using Restormer.Imaging;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Imaging;

/// <summary>
/// EXIF, XMP and the ICC profile of an input reach the restored file, with the EXIF orientation applied to the pixels
/// and reset to 1. The inputs are made with libvips (the library the project writes metadata with) but checked
/// field by field: the EXIF artist, the XMP text and the ICC bytes of libvips' built-in Display P3 profile.
/// </summary>
public sealed class MetadataTests : IDisposable
{
    private const string Artist = "Restormer metadata test";
    private const string XmpMarker = "restormer-xmp-marker";
    private readonly string root = TestPaths.NewTempDir("restormer-metadata");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static byte[] DisplayP3() => (byte[])Image.ProfileLoad("p3");

    /// <summary>A 24×16 photo-like gradient whose EXIF says "rotate 90° clockwise" (orientation 6).</summary>
    private string MakeInput(string extension)
    {
        var pixels = new byte[16 * 24 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 251);
        using var raw = Image.NewFromMemory(pixels, 24, 16, 3, Enums.BandFormat.Uchar);
        using var srgb = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        using var tagged = srgb.Mutate(m =>
        {
            m.Set(GValue.RefStrType, "exif-ifd0-Artist", $"{Artist} ({Artist}, ASCII, {Artist.Length + 1} components, {Artist.Length + 1} bytes)");
            m.Set(GValue.GIntType, "orientation", 6);
            m.Set(GValue.BlobType, "xmp-data", System.Text.Encoding.UTF8.GetBytes(
                $"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:source=\"{XmpMarker}\"/></rdf:RDF></x:xmpmeta>"));
            m.Set(GValue.BlobType, "icc-profile-data", DisplayP3());
        });
        var path = Path.Combine(root, "photo." + extension);
        tagged.WriteToFile(path);
        return path;
    }

    [Theory]
    [InlineData("jpg", "png")]
    [InlineData("jpg", "jpg")]
    [InlineData("png", "png")]
    [InlineData("png", "jpg")]
    [InlineData("jpg", "webp")]
    public void ExifXmpAndIccSurviveARestore(string inputFormat, string outputFormat)
    {
        var input = MakeInput(inputFormat);
        var output = Path.Combine(root, "restored." + outputFormat);
        var result = CliRunner.Run(RestoreCommand.Create(), input, "-o", output, "-w", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
        Assert.True(result.ExitCode == 0, result.Err + result.Out);

        using var restored = Image.NewFromFile(output);
        Assert.Equal((16, 24), (restored.Width, restored.Height)); // turned as the EXIF said
        Assert.Equal(1, (int)restored.Get("orientation"));
        Assert.StartsWith(Artist, (string)restored.Get("exif-ifd0-Artist"));
        Assert.Contains(XmpMarker, System.Text.Encoding.UTF8.GetString((byte[])restored.Get("xmp-data")));
        Assert.Equal(DisplayP3(), (byte[])restored.Get("icc-profile-data"));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void StripMetadataDropsExifAndXmpButKeepsTheColourProfile(string outputFormat)
    {
        var input = MakeInput("jpg");
        var output = Path.Combine(root, "stripped." + outputFormat);
        var result = CliRunner.Run(RestoreCommand.Create(), input, "-o", output, "--strip-metadata", "-w", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
        Assert.True(result.ExitCode == 0, result.Err + result.Out);

        using var restored = Image.NewFromFile(output);
        Assert.Equal((16, 24), (restored.Width, restored.Height)); // the orientation is still applied to the pixels
        // libvips writes a minimal EXIF of its own (resolution, orientation); none of the input's fields are in it.
        Assert.DoesNotContain("exif-ifd0-Artist", restored.GetFields());
        Assert.DoesNotContain("xmp-data", restored.GetFields());
        Assert.Equal(DisplayP3(), (byte[])restored.Get("icc-profile-data"));
        Assert.NotNull(ImageMetadata.Read(input).Exif); // the input keeps its own
    }

    [Fact]
    public void LibraryCallsKeepMetadataToo()
    {
        var input = MakeInput("jpg");
        var output = Path.Combine(root, "library.png");
        using (var restorer = Restormer.Inference.Restorer.Load(Path.Combine(TestPaths.Parity, "tiny_withbias.pth")))
            restorer.Restore(input, output);
        using var restored = Image.NewFromFile(output);
        Assert.Equal(DisplayP3(), (byte[])restored.Get("icc-profile-data"));
        Assert.Equal(1, (int)restored.Get("orientation"));
    }

    [Fact]
    public void AFileReplacedAtTheSamePathIsReadAgain()
    {
        var path = MakeInput("png");
        Assert.NotNull(ImageMetadata.Read(path).Icc);
        using (var plain = Image.Black(4, 4))
            plain.WriteToFile(Path.Combine(root, "plain.png"));
        File.Move(Path.Combine(root, "plain.png"), path, overwrite: true);
        var again = ImageMetadata.Read(path);
        Assert.Null(again.Icc);
        Assert.Null(again.Xmp);
    }
}

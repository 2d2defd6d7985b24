using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Imaging;
using Restormer.Tests.Cli;

namespace Restormer.Tests.Faults;

/// <summary>
/// Hostile and broken image files: each is refused with one line naming the file and the reason, before it costs
/// memory or blocks, and the rest of the run goes on; inputs are never changed and nothing but results is written.
/// </summary>
public class ImageFaultTests
{
    static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    /// <summary>Each crafted file with the phrase its refusal must contain.</summary>
    static IEnumerable<(string Name, string Phrase, Action<string> Make)> CraftedFiles()
    {
        byte[] jpeg, png, webp, ppm;
        using (var photo = FaultFiles.Photo())
            (jpeg, png, webp, ppm) = (FaultFiles.Encode(photo, ".jpg"), FaultFiles.Encode(photo, ".png"), FaultFiles.Encode(photo, ".webp"), FaultFiles.Encode(photo, ".ppm"));
        yield return ("bomb-header.png", "32000×32000", path => File.WriteAllBytes(path, FaultFiles.Png(32000, 32000, 2, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])));
        yield return ("bomb-real.png", "3000×2000", path => File.WriteAllBytes(path, FaultFiles.PngBomb(3000, 2000)));
        yield return ("zero-size.png", "declares no valid size", path => File.WriteAllBytes(path, FaultFiles.Png(0, 0, 2, [])));
        yield return ("half.jpg", "truncated", path => File.WriteAllBytes(path, jpeg[..(jpeg.Length / 2)]));
        yield return ("no-eoi.jpg", "truncated", path => File.WriteAllBytes(path, jpeg[..^2]));
        yield return ("half.png", "truncated", path => File.WriteAllBytes(path, png[..(png.Length / 2)]));
        yield return ("half.webp", "truncated", path => File.WriteAllBytes(path, webp[..(webp.Length / 2)]));
        yield return ("half.ppm", "truncated", path => File.WriteAllBytes(path, ppm[..(ppm.Length / 2)]));
        yield return ("empty.png", "empty", path => File.WriteAllBytes(path, []));
        yield return ("notes.png", "not an image", path => File.WriteAllText(path, "this is text, not a picture\n"));
        yield return ("pipe.png", "FIFO", path => Assert.True(FaultFiles.MakeFifo(path), "mkfifo failed"));
        yield return ("zero.png", "character device", path => File.CreateSymbolicLink(path, "/dev/zero"));
        yield return ("loop.png", "a loop of symbolic links", path => File.CreateSymbolicLink(path, path));
        yield return ("dangling.png", "a symbolic link to 'nowhere.png', which does not exist", path => File.CreateSymbolicLink(path, "nowhere.png"));
        yield return ("float.tiff", "floating point", path => WriteConverted(path, MatType.CV_32FC3, 1 / 255.0));
        yield return ("signed.tiff", "16-bit signed", path => WriteConverted(path, MatType.CV_16SC3, 1));
        yield return ("int.tiff", "32-bit integers", path => WriteConverted(path, MatType.CV_32SC3, 1));
    }

    /// <summary>The photo in another pixel type, as TIFF (which stores any).</summary>
    static void WriteConverted(string path, MatType type, double scale)
    {
        using var photo = FaultFiles.Photo();
        using var converted = new Mat();
        photo.ConvertTo(converted, type, scale);
        Assert.True(Cv2.ImWrite(path, converted));
    }

    /// <summary>Reads on a worker with a deadline: the image, or the exception it was refused with.</summary>
    static (ImageFile? Image, Exception? Error) ReadWithin(string path, TimeSpan deadline)
    {
        var read = Task.Run(() => ImageFile.Read(path, maxPixels: 1_000_000));
        try
        {
            Assert.True(read.Wait(deadline), $"{path}: reading did not finish");
            return (read.Result, null);
        }
        catch (AggregateException e)
        {
            return (null, e.InnerException);
        }
    }

    [Fact]
    public void EachCraftedImageIsRefusedWithItsReasonAndNothingHangs()
    {
        using var dir = TestPaths.NewTempFolder("faults-images");
        foreach (var (name, phrase, make) in CraftedFiles())
        {
            make(dir[name]);
            var (image, exception) = ReadWithin(dir[name], TimeSpan.FromSeconds(30));
            image?.Dispose();
            var error = Assert.IsType<ImageReadException>(exception, exactMatch: false);
            Assert.Contains($"'{dir[name]}'", error.Message);
            Assert.Contains(phrase, error.Message);
        }
    }

    [Fact]
    public async Task RestoreSkipsEveryCraftedFileRestoresTheRestAndChangesNoInput()
    {
        using var root = TestPaths.NewTempFolder("faults-restore");
        var input = Directory.CreateDirectory(root["in"]).FullName;
        var output = root["out"];
        using (var photo = FaultFiles.Photo()) Cv2.ImWrite(Path.Combine(input, "good.png"), photo);
        var crafted = CraftedFiles().ToList();
        foreach (var (name, _, make) in crafted) make(Path.Combine(input, name));
        Directory.CreateDirectory(Path.Combine(input, "folder.png"));
        var before = FaultFiles.Snapshot(input);

        var result = await Task.Run(() => CliRunner.Run(RestoreCommand.Create(), "--weights", TinyWeights, "-i", input, "-o", output, "--max-pixels", "1000000"))
            .WaitAsync(TimeSpan.FromMinutes(2)); // a TimeoutException if something blocked

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"(?m)^ok   \S*good\.png -> ", result.Out);
        foreach (var (name, phrase, _) in crafted)
        {
            var line = result.Out.Split('\n').SingleOrDefault(l => l.StartsWith("FAIL ") && l.Contains($"{name}: "));
            Assert.True(line is not null, $"no FAIL line for {name}:\n{result.Out}");
            Assert.Contains(phrase, line);
        }
        Assert.DoesNotContain("   at ", result.Out + result.Err);
        Assert.Equal(["good.png"], FaultFiles.Names(output));
        Assert.Equal(before, FaultFiles.Snapshot(input));
    }

    [Fact]
    public void TheDefaultLimitRefusesAHeaderOnlyBombAndTheOptionRaisesIt()
    {
        using var dir = TestPaths.NewTempFolder("faults-limit");
        File.WriteAllBytes(dir["big.png"], FaultFiles.PngBomb(3000, 2000));
        Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Check(dir["big.png"], 5_999_999));
        Assert.Equal(6_000_000, ImageDecoder.Check(dir["big.png"], 6_000_000).Pixels);
        File.WriteAllBytes(dir["huge.png"], FaultFiles.Png(32000, 32000, 2, []));
        var error = Assert.Throws<ImageTooLargeException>(() => ImageFile.Read(dir["huge.png"]));
        Assert.Contains("1024.0 MP, over the limit of 40.0 MP", error.Message);
        Assert.Contains("--max-pixels", error.Message);
    }

    /// <summary>
    /// Fuzz: cuts and byte flips of valid files in every format read. Each must decode to an accepted layout or be
    /// refused with <see cref="ImageReadException"/>: no other exception, no hang. A JPEG cut anywhere is always refused.
    /// </summary>
    [Fact]
    public void DamagedFilesOfEveryFormatAreDecodedOrRefusedNeverCrash()
    {
        using var dir = TestPaths.NewTempFolder("faults-fuzz");
        using var photo = FaultFiles.Photo(40, 32);
        var random = new Random(13);
        int refused = 0, decoded = 0;
        foreach (var extension in new[] { ".png", ".jpg", ".webp", ".tiff", ".bmp", ".ppm" })
        {
            var valid = FaultFiles.Encode(photo, extension);
            for (int i = 0; i < 40; i++)
            {
                var bytes = (byte[])valid.Clone();
                bool cut = i % 2 == 0;
                if (cut) bytes = bytes[..random.Next(1, bytes.Length - 1)];
                else
                    for (int flip = 0; flip < 1 + i % 5; flip++) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                var path = dir[$"case{i}{extension}"];
                File.WriteAllBytes(path, bytes);
                var (read, error) = ReadWithin(path, TimeSpan.FromSeconds(20));
                if (error is not null)
                {
                    Assert.IsType<ImageReadException>(error, exactMatch: false);
                    refused++;
                }
                else
                {
                    using var image = read!;
                    Assert.True(image.BitDepth is 8 or 16 && image.Channels is 1 or 3, $"{path}: {image.Pixels.Type()}");
                    Assert.False(extension is ".jpg" or ".ppm" && cut, $"{path}: a truncated file was decoded");
                    decoded++;
                }
            }
        }
        Assert.True(refused > 0 && decoded > 0, $"{refused} refused, {decoded} decoded: the mutations should give both");
    }
}

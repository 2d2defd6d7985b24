using System.IO.Compression;
using System.Text;
using OpenCvSharp;
using Restormer.Checkpoints;
using Restormer.Imaging;
using Restormer.Inference;
using Restormer.Model;
using Restormer.Queue;

namespace Restormer.Tests.Fuzz;

/// <summary>
/// The valid inputs the fuzz suite mutates, made once per test run: a small Restormer checkpoint as .pth and as
/// safetensors (and the .pth's pickle), small photos in every format the reader takes, the shipped training option
/// files, and queue jobs as front ends write them.
/// </summary>
public static class FuzzSeeds
{
    /// <summary>The shared folder the fuzzed queue jobs may name.</summary>
    public const string SharedFolder = "/srv/restormer-queue";

    static readonly Lazy<Dictionary<string, IReadOnlyList<byte[]>>> Seeds = new(Make);
    static readonly Lazy<byte[]> Pth = new(() => Seeds.Value["checkpoint"][0]);

    public static IReadOnlyList<byte[]> For(string target) => Seeds.Value[target];

    /// <summary>The seed .pth with its <c>data.pkl</c> replaced by <paramref name="pickle"/> (checksums recomputed), so mutations reach the unpickler.</summary>
    public static byte[] WithPickle(byte[] pickle)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(Pth.Value), ZipArchiveMode.Read))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in source.Entries)
            {
                using var target = zip.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                if (entry.FullName.EndsWith("/data.pkl"))
                    target.Write(pickle);
                else
                    using (var stream = entry.Open()) stream.CopyTo(target);
            }
        return output.ToArray();
    }

    static Dictionary<string, IReadOnlyList<byte[]>> Make()
    {
        using var folder = TestPaths.NewTempFolder("restormer-test-fuzz-seeds");
        var config = new RestormerConfig { Dim = 4, NumBlocks = [1, 1, 1, 1], NumRefinementBlocks = 1, Heads = [1, 1, 2, 2] };
        using (var net = new RestormerNet(config))
        {
            CheckpointFile.SavePth(folder["small.pth"], net.state_dict());
            CheckpointFile.SaveSafetensors(folder["small.safetensors"], net.state_dict());
        }
        var pth = File.ReadAllBytes(folder["small.pth"]);
        using var zip = new ZipArchive(new MemoryStream(pth), ZipArchiveMode.Read);
        using var pickle = new MemoryStream();
        using (var stream = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl")).Open()) stream.CopyTo(pickle);

        return new()
        {
            ["checkpoint"] = [pth, File.ReadAllBytes(folder["small.safetensors"])],
            ["pickle"] = [pickle.ToArray()],
            ["image"] = Images(folder),
            ["options"] = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "options"), "MotionDeblur_*.yml").Order().Select(File.ReadAllBytes).ToList(),
            ["job"] = Jobs(),
        };
    }

    /// <summary>A 24×16 photo-like pattern in each format and layout the reader takes.</summary>
    static List<byte[]> Images(TempFolder folder)
    {
        using var colour = new Mat(16, 24, MatType.CV_8UC3);
        Cv2.Randu(colour, Scalar.All(0), Scalar.All(255));
        using var deep = new Mat();
        colour.ConvertTo(deep, MatType.CV_16UC3, 257);
        using var gray = new Mat();
        Cv2.CvtColor(colour, gray, ColorConversionCodes.BGR2GRAY);
        using var alpha = new Mat();
        Cv2.CvtColor(colour, alpha, ColorConversionCodes.BGR2BGRA);
        var files = new List<byte[]>();
        foreach (var (name, image) in new[]
                 {
                     ("a.png", colour), ("b.png", deep), ("c.png", gray), ("d.png", alpha), ("e.jpg", colour), ("f.tif", colour),
                     ("g.tif", deep), ("h.bmp", colour), ("i.webp", colour), ("j.ppm", colour), ("k.pgm", gray),
                 })
        {
            Assert.True(Cv2.ImWrite(folder[name], image), name);
            files.Add(File.ReadAllBytes(folder[name]));
        }
        return files;
    }

    /// <summary>Jobs as <see cref="QueueJob.ToHash"/> stores them, in the line form <see cref="FuzzTarget"/> reads.</summary>
    static List<byte[]> Jobs()
    {
        var jobs = new[]
        {
            new QueueJob { Id = "job-1", Model = "motion_deblurring", InputName = "photo.jpg" },
            new QueueJob
            {
                Id = "a_2", Model = "/models/deraining.pth", InputName = "rain.png", SharedFolder = SharedFolder, Attempts = 2,
                Options = new RestoreOptions { TileSize = 256, TileOverlap = 32, Precision = Precision.Bf16 }, Save = new ImageSaveOptions { Format = ImageFormat.Jpeg, Quality = 90 },
            },
        };
        return jobs.Select(job => Encoding.UTF8.GetBytes(job.Id + "\n" +
            string.Join("\n", job.ToHash().Select(field => $"{field.Name}={field.Value.ToString().Replace("\n", "\\n")}")))).ToList();
    }
}

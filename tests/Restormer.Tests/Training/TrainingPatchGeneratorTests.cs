using OpenCvSharp;
using Restormer.Training;

namespace Restormer.Tests.Training;

public class TrainingPatchGeneratorTests
{
    [Theory]
    // numpy.arange(0, length - size, size - overlap) followed by length - size, as generate_patches_gopro.py.
    [InlineData(720, 512, 256, new[] { 0, 208 })]
    [InlineData(1280, 512, 256, new[] { 0, 256, 512, 768 })]
    [InlineData(1024, 512, 256, new[] { 0, 256, 512 })]
    [InlineData(512, 512, 256, new[] { 0 })]
    [InlineData(10, 4, 1, new[] { 0, 3, 6 })]
    public void WindowStartsCoverTheImageLikeTheReference(int length, int size, int overlap, int[] expected)
    {
        Assert.Equal(expected, PatchGenerator.Starts(length, size, overlap));
    }

    [Fact]
    public void GoProFramesGiveEightPatchesNumberedRowMajor()
    {
        var windows = PatchGenerator.Windows("frame", 720, 1280, 512, 256, 0).ToList();
        Assert.Equal(8, windows.Count);
        Assert.Equal(("frame-1.png", new Rect(0, 0, 512, 512)), windows[0]);
        Assert.Equal(("frame-4.png", new Rect(768, 0, 512, 512)), windows[3]);
        Assert.Equal(("frame-5.png", new Rect(0, 208, 512, 512)), windows[4]);
    }

    [Fact]
    public void CutsAlignedPatchesAndSkipsWhatExists()
    {
        var root = TestPaths.NewTempDir("restormer-patches");
        var (lq, gt, output) = (Path.Combine(root, "input"), Path.Combine(root, "target"), Path.Combine(root, "out"));
        Directory.CreateDirectory(lq);
        Directory.CreateDirectory(gt);
        using (var target = new Mat(10, 12, MatType.CV_8UC3))
        {
            Cv2.Randu(target, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
            using var input = new Mat();
            Cv2.BitwiseNot(target, input);
            Cv2.ImWrite(Path.Combine(gt, "a.png"), target);
            Cv2.ImWrite(Path.Combine(lq, "a.png"), input);
            Cv2.ImWrite(Path.Combine(gt, "small.png"), target[new Rect(0, 0, 3, 3)]);
            Cv2.ImWrite(Path.Combine(lq, "small.png"), input[new Rect(0, 0, 3, 3)]);
        }

        var report = PatchGenerator.Generate(lq, gt, output, size: 6, overlap: 2, workers: 2);

        // 10 rows → starts 0, 4; 12 columns → 0, 4, 6: six patches, plus the small image copied whole.
        Assert.Equal(new PatchGenerationReport(2, 7, 0), report);
        var names = Directory.GetFiles(Path.Combine(output, PatchGenerator.TargetFolder)).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["a-1.png", "a-2.png", "a-3.png", "a-4.png", "a-5.png", "a-6.png", "small.png"], names);
        using var source = Cv2.ImRead(Path.Combine(gt, "a.png"));
        using var patch = Cv2.ImRead(Path.Combine(output, PatchGenerator.TargetFolder, "a-6.png"));
        using var inputPatch = Cv2.ImRead(Path.Combine(output, PatchGenerator.InputFolder, "a-6.png"));
        Assert.Equal(0, Cv2.Norm(patch, source[new Rect(6, 4, 6, 6)], NormTypes.INF));
        using var negative = new Mat();
        Cv2.BitwiseNot(inputPatch, negative);
        Assert.Equal(0, Cv2.Norm(patch, negative, NormTypes.INF));

        File.Delete(Path.Combine(output, PatchGenerator.InputFolder, "a-2.png"));
        Assert.Equal(new PatchGenerationReport(2, 1, 6), PatchGenerator.Generate(lq, gt, output, size: 6, overlap: 2));
    }

    [Fact]
    public void CenterCropKeepsOneCentredWindow()
    {
        Assert.Equal([("v.png", new Rect(2, 1, 6, 6))], PatchGenerator.Windows("v", 9, 10, 512, 256, centerCrop: 6));
    }

    [Fact]
    public void OverlapMustBeSmallerThanThePatch()
    {
        var error = Assert.Throws<ArgumentException>(() => PatchGenerator.Starts(100, 8, 8));
        Assert.Contains("overlap", error.Message);
    }
}

using OpenCvSharp;
using Restormer.Training.Data;
using Restormer.Training.Options;

namespace Restormer.Tests.Training;

public class TrainingSyntheticSetTests
{
    static readonly string ExampleOptions = Path.Combine(TestPaths.RepoRoot, "options", "MotionDeblur_Compact_Synthetic.yml");

    [Theory]
    [InlineData("MotionDeblur_Compact_Synthetic.yml")]
    [InlineData("MotionDeblur_Compact_Default.yml")]
    public void ShippedTrainingOptionFilesParseWithoutWarnings(string file)
    {
        var options = TrainingOptions.Load(Path.Combine(TestPaths.RepoRoot, "options", file));
        Assert.True(options.Warnings.Count == 0, string.Join("\n", options.Warnings));
        Assert.IsType<SyntheticPairSet.Spec>(options.TrainSet.Source);
        Assert.NotNull(options.Validation);
    }

    [Fact]
    public void ExampleOptionFileDescribesTheCompactModelOnSyntheticPairs()
    {
        var options = TrainingOptions.Load(ExampleOptions);
        Assert.Equal((24, 2), (options.Network.Dim, options.Network.NumRefinementBlocks));
        Assert.Equal([2, 3, 3, 4], options.Network.NumBlocks);
        var train = Assert.IsType<SyntheticPairSet.Spec>(options.TrainSet.Source);
        var val = Assert.IsType<SyntheticPairSet.Spec>(options.ValSet!.Source);
        Assert.Equal(("../shared/data/sharp", 8, "train"), (train.SharpFolder, train.EveryNthVal, train.Phase));
        Assert.Equal("val", val.Phase);
    }

    static string SharpFolder(int count)
    {
        var folder = TestPaths.NewTempDir("restormer-sharp");
        var sub = Directory.CreateDirectory(Path.Combine(folder, "set")).FullName;
        for (int i = 0; i < count; i++)
        {
            using var image = new Mat(24, 20, MatType.CV_8UC3);
            Cv2.Randu(image, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
            Cv2.ImWrite(Path.Combine(i % 2 == 0 ? folder : sub, $"p{i:D2}.png"), image);
        }
        return folder;
    }

    static SyntheticPairSet.Spec Parse(string folder, string phase, string extra = "")
    {
        var yaml = $"type: SyntheticPairedDataset\ndataroot_sharp: {folder}\nevery_nth_val: 4\ndegradation: {{kind: motion, kernel_size: [5, 9]}}\n{extra}";
        var map = YamlOptionReader.Parse(new StringReader(yaml), "s.yml");
        return Assert.IsType<SyntheticPairSet.Spec>(PairedImageSetTypes.Parse(map, phase));
    }

    [Fact]
    public void EveryNthImageIsHeldOutForValidationOnly()
    {
        var folder = SharpFolder(10);
        var train = (SyntheticPairSet)Parse(folder, "train").Open();
        var val = (SyntheticPairSet)Parse(folder, "val").Open();

        Assert.Equal(8, train.Count);
        Assert.Equal(2, val.Count);
        Assert.Empty(train.Files.Intersect(val.Files));
        // Files sort by path (the sub-folder's after the top folder's); the 4th and 8th are held out.
        var all = train.Files.Concat(val.Files).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([all[3], all[7]], val.Files);
    }

    [Fact]
    public void PairsAreDegradedCopiesThatRepeatForTheSameGenerator()
    {
        var set = Parse(SharpFolder(4), "val").Open();
        var (lq, gt) = set.Load(0, new Random(5));
        var (again, gtAgain) = set.Load(0, new Random(5));
        var (other, gtOther) = set.Load(0, new Random(6));
        using (lq) using (gt) using (again) using (gtAgain) using (other) using (gtOther)
        {
            Assert.Equal((MatType.CV_32FC3, gt.Size()), (lq.Type(), lq.Size()));
            Assert.True(Cv2.Norm(lq, gt, NormTypes.INF) > 0.01);
            Assert.Equal(0, Cv2.Norm(lq, again, NormTypes.INF));
            Assert.True(Cv2.Norm(lq, other, NormTypes.INF) > 0);
        }
    }

    [Fact]
    public void BadDegradationSettingsNameTheOption()
    {
        var map = YamlOptionReader.Parse(new StringReader("type: SyntheticPairedDataset\ndataroot_sharp: x\ndegradation: {kind: wobble}"), "s.yml");
        var error = Assert.Throws<OptionException>(() => PairedImageSetTypes.Parse(map, "train"));
        Assert.Contains("'degradation'", error.Message);
        Assert.Contains("wobble", error.Message);
    }
}

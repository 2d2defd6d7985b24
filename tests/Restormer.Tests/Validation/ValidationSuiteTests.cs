using OpenCvSharp;
using Restormer.Cli.Commands;
using Restormer.Tests.Cli;
using Restormer.Validation;

namespace Restormer.Tests.Validation;

public class ValidationSuiteTests
{
    /// <summary>A temp folder of 16 small random photos (two are held out with every_nth_val 8) and a two-condition suite file.</summary>
    sealed class SuiteFixture : IDisposable
    {
        public string Root { get; } = TestPaths.NewTempDir("restormer-suite");
        public string SuiteFile => Path.Combine(Root, "suite.yml");

        public SuiteFixture()
        {
            var sharp = Directory.CreateDirectory(Path.Combine(Root, "sharp")).FullName;
            var rng = new Random(1);
            for (var i = 0; i < 16; i++)
            {
                using var photo = new Mat(72, 80, MatType.CV_8UC3);
                Cv2.Randu(photo, Scalar.All(0), Scalar.All(255));
                Cv2.GaussianBlur(photo, photo, new Size(0, 0), 1.5); // some structure for the blur to destroy
                Cv2.ImWrite(Path.Combine(sharp, $"p{i:D2}.png"), photo);
            }
            File.WriteAllText(SuiteFile, $"""
                dataroot_sharp: {sharp}
                every_nth_val: 8
                crop_size: 48
                seed: 3
                conditions:
                  stored:
                    description: shake on stored values
                    degradation: {"{"}kind: shake, kernel_size: [9, 13], linear_light: 0{"}"}
                  noisy:
                    description: noise only
                    degradation: {"{"}kind: none, noise_probability: 1, noise_sigma: 0.05, poisson: 0{"}"}
                """);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    [Fact]
    public void GenerateWritesTheHeldOutPhotosOfEveryConditionDeterministically()
    {
        using var fixture = new SuiteFixture();
        var suite = ValidationSuite.Load(fixture.SuiteFile);
        Assert.Equal(["p07", "p15"], suite.Photos().Select(Path.GetFileNameWithoutExtension));
        var first = Path.Combine(fixture.Root, "a");
        var second = Path.Combine(fixture.Root, "b");
        Assert.Equal(4, suite.Generate(first));
        suite.Generate(second);
        foreach (var condition in new[] { "stored", "noisy" })
            foreach (var part in new[] { "input", "target" })
                foreach (var stem in new[] { "p07", "p15" })
                {
                    var a = File.ReadAllBytes(Path.Combine(first, condition, part, stem + ".png"));
                    Assert.Equal(a, File.ReadAllBytes(Path.Combine(second, condition, part, stem + ".png")));
                    using var image = Cv2.ImRead(Path.Combine(first, condition, part, stem + ".png"));
                    Assert.Equal(new Size(48, 48), image.Size());
                }
        Assert.Contains("| stored | shake on stored values |", File.ReadAllText(Path.Combine(first, "README.md")));
    }

    [Fact]
    public void ScoresCountGainsAndImagesThatGotWorse()
    {
        using var fixture = new SuiteFixture();
        var suite = Path.Combine(fixture.Root, "suite");
        ValidationSuite.Load(fixture.SuiteFile).Generate(suite);
        var condition = Path.Combine(suite, "noisy");

        // "Restoring" by returning the input changes nothing: gain 0, nothing worse.
        var same = SuiteReport.Score(condition, Path.Combine(condition, "input"));
        Assert.Equal(2, same.Pairs);
        Assert.Equal(0, same.Gain, 9);
        Assert.Equal(0, same.Worse);

        // Adding more noise makes every image worse by well over 0.1 dB.
        var worse = Directory.CreateDirectory(Path.Combine(fixture.Root, "worse")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(condition, "input")))
        {
            using var image = Cv2.ImRead(file);
            using var noise = new Mat(image.Size(), image.Type());
            Cv2.Randn(noise, Scalar.All(0), Scalar.All(20));
            Cv2.Add(image, noise, image);
            Cv2.ImWrite(Path.Combine(worse, Path.GetFileName(file)), image);
        }
        var score = SuiteReport.Score(condition, worse);
        Assert.True(score.Gain < -0.5, $"gain {score.Gain}");
        Assert.Equal(2, score.Worse);
        Assert.True(score.WorstGain < -0.5);
    }

    [Theory]
    [InlineData(-0.004, "+0.00")]   // was printed "-+0.00"
    [InlineData(-0.006, "-0.01")]
    [InlineData(0.3349, "+0.33")]
    [InlineData(-6.98, "-6.98")]
    public void GainsAreSignedWithTwoDecimals(double gain, string text) => Assert.Equal(text, SuiteReport.Signed(gain));

    [Fact]
    public void DegradeSuiteThenTestPrintsOneRowPerCondition()
    {
        using var fixture = new SuiteFixture();
        var suite = Path.Combine(fixture.Root, "suite");
        var results = Path.Combine(fixture.Root, "results");
        var made = CliRunner.Run(DegradeCommand.Create(), "--suite", fixture.SuiteFile, "--output", suite);
        Assert.True(made.ExitCode == 0, made.Err);
        var tested = CliRunner.Run(TestCommand.Create(), "--input-dir", suite, "--output-dir", results,
            "--weights", Path.Combine(TestPaths.Parity, "tiny_withbias.pth"));
        Assert.True(tested.ExitCode == 0, tested.Err);
        Assert.Contains("| condition | pairs | input PSNR | restored PSNR | gain |", tested.Out);
        Assert.Matches(@"\| noisy \| 2 \| \d+\.\d\d \|", tested.Out);
        Assert.Matches(@"\| stored \| 2 \| \d+\.\d\d \|", tested.Out);
        Assert.True(File.Exists(Path.Combine(results, "conditions.json")));
        Assert.True(File.Exists(Path.Combine(results, "stored", "p07.png")));
    }

    [Fact]
    public void ASuiteFileWithoutConditionsIsRefusedWithItsName()
    {
        using var fixture = new SuiteFixture();
        File.WriteAllText(fixture.SuiteFile, "dataroot_sharp: x\n");
        var error = Assert.Throws<InvalidDataException>(() => ValidationSuite.Load(fixture.SuiteFile));
        Assert.Contains("suite.yml", error.Message);
        Assert.Contains("conditions", error.Message);
    }
}

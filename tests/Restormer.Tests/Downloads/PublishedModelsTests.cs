using Restormer.Model;
using Restormer.Checkpoints;
using Restormer.Downloads;
using Restormer.Inference;

namespace Restormer.Tests.Downloads;

public class PublishedModelsTests
{
    [Fact]
    public void TheCatalogueHoldsEveryFileTheReferenceScriptsLoad()
    {
        // demo.py (six tasks), test_dual_pixel_defocus_deblur.py, test_gaussian_{color,gray}_denoising.py (_blind, _sigma15/25/50)
        string[] reference =
        [
            "motion_deblurring", "single_image_defocus_deblurring", "deraining", "real_denoising",
            "gaussian_color_denoising_blind", "gaussian_gray_denoising_blind", "dual_pixel_defocus_deblurring",
            "gaussian_color_denoising_sigma15", "gaussian_color_denoising_sigma25", "gaussian_color_denoising_sigma50",
            "gaussian_gray_denoising_sigma15", "gaussian_gray_denoising_sigma25", "gaussian_gray_denoising_sigma50",
        ];
        Assert.Equal(reference.Order(), PublishedModels.All.Select(m => m.Name).Order());
        foreach (var model in PublishedModels.All)
            Assert.Equal($"https://github.com/swz30/Restormer/releases/download/v1.0/{model.Name}.pth", model.Url.ToString());
        foreach (var task in RestorationTask.All)
            Assert.Equal(task.WeightsFileName, PublishedModels.For(task).FileName);
        Assert.Equal(104_700_429, PublishedModels.Find("motion_deblurring")!.KnownSize);
    }

    [Theory]
    [InlineData("Gaussian_Color_Denoising", "gaussian_color_denoising_blind")]
    [InlineData("gaussian-gray-denoising", "gaussian_gray_denoising_blind")]
    [InlineData("deraining.pth", "deraining")]
    [InlineData("defocus_deblurring", "single_image_defocus_deblurring")]
    [InlineData("gaussian_gray_denoising_sigma25", "gaussian_gray_denoising_sigma25")]
    public void NamesAndTaskSpellingsFindTheFile(string name, string expected) =>
        Assert.Equal(expected, PublishedModels.Find(name)!.Name);

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedModels.Parse("motion_deblur"));
        Assert.Contains("dual_pixel_defocus_deblurring", error.Message);
    }

    [Theory]
    [InlineData("tiny_withbias", "motion_deblurring", true)]
    [InlineData("tiny_withbias", "deraining", true)]
    [InlineData("tiny_gray_biasfree", "gaussian_gray_denoising_sigma15", true)]
    [InlineData("tiny_dualpixel", "dual_pixel_defocus_deblurring", true)]
    [InlineData("tiny_biasfree_bias", "real_denoising", true)]
    [InlineData("tiny_withbias", "real_denoising", false)]
    [InlineData("tiny_withbias", "gaussian_gray_denoising_blind", false)]
    [InlineData("tiny_withbias", "dual_pixel_defocus_deblurring", false)]
    [InlineData("tiny_gray_biasfree", "gaussian_color_denoising_sigma50", false)]
    [InlineData("tiny_dualpixel", "single_image_defocus_deblurring", false)]
    public void VerifyAcceptsOnlyTheArchitectureTheNameNeeds(string fixture, string name, bool accepted)
    {
        var path = Path.Combine(TestPaths.Parity, fixture + ".pth");
        // The small fixtures' own widths stand in for the paper's, so only the task's channels and LayerNorm decide.
        var model = PublishedModels.Parse(name) with { Shape = RestormerNet.ReadArchitecture(path) };
        if (accepted)
            Assert.Equal(model.Channels, model.Verify(path).OutChannels);
        else
            Assert.Contains($"not one for {name}", Assert.Throws<CheckpointException>(() => model.Verify(path)).Message);
    }

    [Fact]
    public void APublishedNameNeedsThePapersWidthsDepthsAndHeads()
    {
        // A checkpoint with the right channels and LayerNorm but another size (the width-8 "deraining").
        var small = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");
        var refused = Assert.Throws<CheckpointException>(() => PublishedModels.Parse("deraining").Verify(small)).Message;
        Assert.Contains("not one for deraining (dim 8, blocks [1,2,2,1], 2 refinement blocks, heads [1,2,4,8], GDFN widths [21,42,85,170], no bias " +
                        "instead of dim 48, blocks [4,6,6,8], 4 refinement blocks, heads [1,2,4,8], GDFN widths [127,255,510,1021], no bias)", refused);

        // The full-size network of the paper, as the reference's Restormer() builds it, with random weights.
        using var folder = TestPaths.NewTempFolder();
        var full = Path.Combine(folder.Path, "deraining.pth");
        using (var net = new RestormerNet(new RestormerConfig()))
            CheckpointFile.SavePth(full, net.state_dict());
        var config = PublishedModels.Parse("deraining").Verify(full);
        Assert.Equal((48, 4), (config.Dim, config.NumRefinementBlocks));
        Assert.Contains("not one for real_denoising (WithBias LayerNorm instead of BiasFree)",
            Assert.Throws<CheckpointException>(() => PublishedModels.Parse("real_denoising").Verify(full)).Message);
    }
}

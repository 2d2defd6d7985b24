using Restormer.Inference;

namespace Restormer.Tests.Inference;

public class RestorationTaskTests
{
    [Theory]
    [InlineData("Motion_Deblurring", "motion_deblurring")]
    [InlineData("motion-deblurring", "motion_deblurring")]
    [InlineData("Single_Image_Defocus_Deblurring", "single_image_defocus_deblurring")]
    [InlineData("gaussian_color_denoising_blind", "gaussian_color_denoising")]
    [InlineData("GAUSSIAN-GRAY-DENOISING", "gaussian_gray_denoising")]
    public void ReferenceSpellingsAreAccepted(string given, string expected) =>
        Assert.Equal(expected, RestorationTask.Parse(given).Name);

    [Fact]
    public void UnknownTaskListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => RestorationTask.Parse("sharpen"));
        Assert.Contains("motion_deblurring", error.Message);
        Assert.Contains("sharpen", error.Message);
    }

    [Fact]
    public void MissingWeightsSayWhichFileToPutWhere()
    {
        var store = new ModelStore(TestPaths.NewTempDir());
        var error = Assert.Throws<FileNotFoundException>(() => store.Resolve(RestorationTask.Deraining));
        Assert.Contains("deraining.pth", error.Message);
        Assert.Contains(store.Directory, error.Message);
    }
}

using Restormer.Inference;
using Restormer.Model;
using static TorchSharp.torch;

namespace Restormer.Tests;

/// <summary>Real pixels for accuracy tests: the shipped compact motion-deblurring model and crops of a blurred frame.</summary>
public static class TestPhotos
{
    /// <summary>models/motion_deblurring_compact.pth, in eval mode.</summary>
    public static RestormerNet CompactMotionModel()
    {
        var model = RestormerNet.FromCheckpoint(Path.Combine(TestPaths.RepoRoot, "models", DefaultModels.MotionDeblurringCompact));
        model.eval();
        return model;
    }

    /// <summary>A crop of ../shared/data/samples/motion_blur/seq_id-1_frame-8_Input.png as a 1×3×H×W tensor in [0, 1].</summary>
    public static Tensor MotionBlurCrop(int x, int y, int width, int height)
    {
        using var frame = OpenCvSharp.Cv2.ImRead(Path.Combine(TestPaths.Shared, "data", "samples", "motion_blur", "seq_id-1_frame-8_Input.png"));
        using var crop = new OpenCvSharp.Mat(frame, new OpenCvSharp.Rect(x, y, width, height));
        return Restormer.Imaging.ImageTensor.ToTensor(crop);
    }
}

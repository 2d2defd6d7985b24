using Restormer.Inference;

namespace Restormer.Tests.Inference;

/// <summary>The library's public entry points behave as their documentation says.</summary>
public class RestorerApiTests
{
    private static readonly string TinyWeights = Path.Combine(TestPaths.Parity, "tiny_withbias.pth");

    [Fact]
    public void DisposedRestorerRefusesWorkAndDisposesOnce()
    {
        var restorer = Restorer.Load(TinyWeights);
        var image = new float[16, 16, 3];
        Assert.Equal(16, restorer.Restore(image).GetLength(0));
        restorer.Dispose();
        restorer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => restorer.Restore(image));
    }

    [Fact]
    public void ModelStoreResolvesPublishedWeightsFirstThenTheShippedModel()
    {
        var store = new ModelStore(TestPaths.NewTempDir("models"));
        var task = RestorationTask.MotionDeblurring;
        Assert.Null(store.TryResolve(task));
        var error = Assert.Throws<FileNotFoundException>(() => store.Resolve(task));
        Assert.Contains($"'./restormer models fetch motion_deblurring --models-dir {store.Directory}'", error.Message);

        var shipped = Path.Combine(store.Directory, DefaultModels.MotionDeblurringCompact);
        File.Copy(TinyWeights, shipped);
        Assert.Equal(shipped, store.TryResolve(task));
        var published = store.PathFor(task);
        File.Copy(TinyWeights, published);
        Assert.Equal(published, store.TryResolve(task));
        Assert.Null(store.TryResolve(RestorationTask.Deraining));
    }
}

using System.Numerics;

namespace Restormer.Metrics;

/// <summary>
/// Structural similarity (Wang et al. 2004) with the 11-tap Gaussian window, σ 1.5, K1 0.01, K2 0.03, data range 255,
/// population (co)variances, in the two conventions that Restormer results are reported in. Both are the mean of the
/// SSIM map; they differ in the window, in which pixels the mean covers and in the arithmetic's precision.
/// </summary>
public static class Ssim
{
    const double K1 = 0.01, K2 = 0.03;

    /// <summary>
    /// Per-channel SSIM averaged over channels, as scikit-image's <c>structural_similarity(channel_axis=2,
    /// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)</c> gives it (what most other
    /// tools report): a 2-D window per channel, float64, and the map's mean over the pixels whose window lies inside the
    /// image (5 pixels per edge dropped, like the reference's <c>_ssim</c> with its <c>[5:-5, 5:-5]</c> crop).
    /// Needs at least 11×11 pixels after the crop.
    /// </summary>
    public static double Compute(MetricImage restored, MetricImage reference, int cropBorder = 0, bool yChannel = false)
    {
        var (x, y) = Prepare(restored, reference, cropBorder, yChannel);
        return MeanSsim(x, y, margin: GaussianWindow.Radius);
    }

    /// <summary>
    /// The reference training code's SSIM (<c>calculate_ssim</c> in basicsr/metrics/psnr_ssim.py), mean of the map over
    /// every pixel. On colour images: one 3-D Gaussian window (11×11×11 over rows, columns and the channel axis) with
    /// replicate padding, so channels blend, in the reference's float32 arithmetic (see <see cref="ReferenceWindow3D"/>).
    /// On the Y channel (<paramref name="yChannel"/>): the reference's <c>_ssim_cly</c>, the 2-D window with replicate
    /// borders in float64, which is what the 3-D window reduces to on one channel.
    /// </summary>
    public static double Compute3D(MetricImage restored, MetricImage reference, int cropBorder = 0, bool yChannel = false)
    {
        var (x, y) = Prepare(restored, reference, cropBorder, yChannel);
        return yChannel ? MeanSsim(x, y, margin: 0) : MeanSsimFloat32(x, y);
    }

    /// <summary>
    /// The RealBlur protocol's SSIM (<c>compute_ssim</c> in the reference's <c>evaluate_realblur.py</c>): the map of
    /// <see cref="Compute"/> weighted by <paramref name="mask"/> (HWC, the pixels an alignment warp covers), summed
    /// over the pixels whose window lies inside the image and divided by the mask's sum there, then averaged over
    /// channels. SSIM is scale-free, so images on the 0..255 scale give the reference's value on [0,1].
    /// </summary>
    public static double ComputeMasked(MetricImage restored, MetricImage reference, double[] mask)
    {
        MetricImage.EnsureSameSize(restored, reference);
        if (mask.Length != restored.Pixels.Length)
            throw new ArgumentException($"The mask holds {mask.Length} values, the images {restored.Pixels.Length}.");
        return MeanSsim(restored, reference, margin: GaussianWindow.Radius, mask);
    }

    static (MetricImage X, MetricImage Y) Prepare(MetricImage restored, MetricImage reference, int cropBorder, bool yChannel)
    {
        MetricImage.EnsureSameSize(restored, reference);
        return (restored.Prepare(cropBorder, yChannel), reference.Prepare(cropBorder, yChannel));
    }

    /// <summary>
    /// The float64 2-D window per channel; the mean skips <paramref name="margin"/> pixels per edge and, with
    /// <paramref name="weights"/>, weighs each value of the map.
    /// </summary>
    static double MeanSsim(MetricImage x, MetricImage y, int margin, double[]? weights = null)
    {
        if (x.Height <= 2 * margin || x.Width <= 2 * margin)
            throw new ArgumentException($"SSIM needs at least {GaussianWindow.Size}×{GaussianWindow.Size} pixels, the images are {x.Height}×{x.Width} after cropping.");
        var scratch = new double[x.Pixels.Length];
        double[] Smoothed(double[] data)
        {
            GaussianWindow.Smooth(data, scratch, x.Height, x.Width, x.Channels);
            return data;
        }
        return MeanOfMap(
            Smoothed((double[])x.Pixels.Clone()), Smoothed((double[])y.Pixels.Clone()),
            Smoothed(Product(x.Pixels, x.Pixels)), Smoothed(Product(y.Pixels, y.Pixels)), Smoothed(Product(x.Pixels, y.Pixels)),
            x, margin, weights);
    }

    /// <summary>The reference's float32 3-D window: inputs, products, window sums and the map all rounded to float32.</summary>
    static double MeanSsimFloat32(MetricImage x, MetricImage y)
    {
        var xf = Array.ConvertAll(x.Pixels, v => (float)v);
        var yf = Array.ConvertAll(y.Pixels, v => (float)v);
        float[] Smoothed(float[] data) => ReferenceWindow3D.Smooth(data, x.Height, x.Width, x.Channels);
        return MeanOfMap(Smoothed(xf), Smoothed(yf), Smoothed(Product(xf, xf)), Smoothed(Product(yf, yf)), Smoothed(Product(xf, yf)), x, margin: 0);
    }

    /// <summary>
    /// Mean of the SSIM map from the windowed means and second moments, each operation rounded in
    /// <typeparamref name="T"/> in the reference's order, over the HWC pixels at least <paramref name="margin"/> from the
    /// edges; with <paramref name="weights"/>, the weighted mean.
    /// </summary>
    static double MeanOfMap<T>(T[] muX, T[] muY, T[] xx, T[] yy, T[] xy, MetricImage shape, int margin, double[]? weights = null)
        where T : IFloatingPointIeee754<T>
    {
        T c1 = T.CreateChecked(Math.Pow(K1 * Psnr.Peak, 2)), c2 = T.CreateChecked(Math.Pow(K2 * Psnr.Peak, 2)), two = T.CreateChecked(2);
        double sum = 0.0, weightSum = 0.0;
        for (var row = margin; row < shape.Height - margin; row++)
        {
            var start = (row * shape.Width + margin) * shape.Channels;
            var end = (row * shape.Width + shape.Width - margin) * shape.Channels;
            for (var i = start; i < end; i++)
            {
                T mxx = muX[i] * muX[i], myy = muY[i] * muY[i], mxy = muX[i] * muY[i];
                var value = (two * mxy + c1) * (two * (xy[i] - mxy) + c2) / ((mxx + myy + c1) * ((xx[i] - mxx) + (yy[i] - myy) + c2));
                var weight = weights?[i] ?? 1.0;
                sum += weight * double.CreateChecked(value);
                weightSum += weight;
            }
        }
        return sum / weightSum;
    }

    static T[] Product<T>(T[] a, T[] b) where T : INumber<T>
    {
        var product = new T[a.Length];
        for (var i = 0; i < a.Length; i++) product[i] = a[i] * b[i];
        return product;
    }
}

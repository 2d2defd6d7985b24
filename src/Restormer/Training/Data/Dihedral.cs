namespace Restormer.Training.Data;

/// <summary>
/// The eight flips and 90° rotations of a square's symmetry group (geometric augmentation of the reference's
/// <c>random_augmentation</c>), numbered as its <c>data_augmentation(image, mode)</c>: mode = 2·k + f means
/// rotate k quarter turns counter-clockwise (numpy's <c>rot90</c>), then flip upside down if f is 1.
/// </summary>
public static class Dihedral
{
    /// <summary>Number of distinct variants.</summary>
    public const int Count = 8;

    /// <summary>Returns the variant <paramref name="mode"/> (0–7) of <paramref name="image"/>; mode 0 returns it unchanged.</summary>
    public static PlanarImage Apply(PlanarImage image, int mode)
    {
        if (mode is < 0 or >= Count)
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Dihedral mode must be 0..7.");
        if (mode == 0)
            return image;
        int turns = mode / 2, h = image.Height, w = image.Width;
        bool flip = mode % 2 == 1;
        int outH = turns % 2 == 0 ? h : w, outW = turns % 2 == 0 ? w : h;
        var data = new float[image.Data.Length];
        for (int c = 0; c < image.Channels; c++)
        {
            int inPlane = c * h * w, outPlane = c * outH * outW;
            for (int i = 0; i < outH; i++)
            {
                int row = flip ? outH - 1 - i : i;
                for (int j = 0; j < outW; j++)
                {
                    var (y, x) = Source(turns, row, j, h, w);
                    data[outPlane + i * outW + j] = image.Data[inPlane + y * w + x];
                }
            }
        }
        return new PlanarImage(data, image.Channels, outH, outW);
    }

    // Where output pixel (i, j) of k counter-clockwise quarter turns of an h×w image comes from.
    static (int Y, int X) Source(int turns, int i, int j, int h, int w) => turns switch
    {
        0 => (i, j),
        1 => (j, w - 1 - i),
        2 => (h - 1 - i, w - 1 - j),
        _ => (h - 1 - j, i),
    };
}

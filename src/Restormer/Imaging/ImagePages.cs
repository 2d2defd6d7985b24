using NetVips;

namespace Restormer.Imaging;

/// <summary>
/// How many pages (a multi-page TIFF) or frames (an animated GIF or WebP) an image file holds, read from its header
/// by libvips. Restoration decodes the first, as OpenCV does, so callers say when the others are left out.
/// </summary>
public static class ImagePages
{
    /// <summary>The pages or frames in <paramref name="path"/>; 1 when the header names none or cannot be read.</summary>
    public static int Count(string path)
    {
        LibVips.Configure();
        try
        {
            using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
            return header.Contains("n-pages") && header.Get("n-pages") is int pages && pages > 1 ? pages : 1;
        }
        catch (VipsException)
        {
            return 1;
        }
    }
}

namespace Restormer.Imaging;

/// <summary>The image's header declares more pixels than the limit allows (<see cref="ImageLimits"/>); nothing was decoded.</summary>
public sealed class ImageTooLargeException(string path, string reason) : ImageReadException(path, reason);

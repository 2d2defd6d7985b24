using OpenCvSharp;

namespace Restormer.Training.Data;

/// <summary>
/// A set of aligned (degraded, sharp) image pairs that training and validation draw from: folders of pairs, or
/// pairs made on the fly from sharp images. Everything after loading (padding, cropping, augmentation, batching)
/// is shared, so a new kind of data only has to produce full-size pairs.
/// </summary>
public interface IPairedImageSet
{
    /// <summary>Number of pairs.</summary>
    int Count { get; }

    /// <summary>A short name of pair <paramref name="index"/> (its file name) for logs and saved images.</summary>
    string NameOf(int index);

    /// <summary>
    /// The width and height pair <paramref name="index"/> has when loaded, from its target file's header (no
    /// decoding): what patch sizes are checked against before training.
    /// </summary>
    (long Width, long Height) SizeOf(int index);

    /// <summary>
    /// Loads pair <paramref name="index"/> in OpenCV's channel order (BGR; a 6-channel input is two BGR images side by
    /// side in channels), 8-bit, 16-bit or float [0,1]; both images have the same height and width. All randomness
    /// (e.g. a synthetic degradation) must come from <paramref name="rng"/>, so that a seeded run repeats exactly.
    /// The caller disposes both images. Must be safe to call from several threads at once.
    /// </summary>
    (Mat Lq, Mat Gt) Load(int index, Random rng);
}

/// <summary>
/// The type-specific part of a <c>datasets.*</c> section, checked when the option file is read but touching no file
/// until <see cref="Open"/>; so a published option file parses on a machine without its data.
/// </summary>
public interface IPairedImageSetSpec
{
    /// <summary>The <c>type</c> as written in the option file.</summary>
    string Type { get; }

    /// <summary>Scans the data (folders, file lists) and returns the set; throws with a clear message when it is missing.</summary>
    IPairedImageSet Open();
}

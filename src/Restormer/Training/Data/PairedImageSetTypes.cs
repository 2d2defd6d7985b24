using Restormer.Training.Options;

namespace Restormer.Training.Data;

/// <summary>
/// The dataset <c>type</c>s an option file may name, each reading its own keys. To add a kind of data, implement
/// <see cref="IPairedImageSet"/> and its <see cref="IPairedImageSetSpec"/> and add one line here.
/// </summary>
public static class PairedImageSetTypes
{
    static readonly Dictionary<string, Func<OptionMap, string, IPairedImageSetSpec>> Parsers = new()
    {
        ["Dataset_PairedImage"] = (map, _) => new PairedFolderSet.Spec(
            map.Require<string>("dataroot_lq"), map.Require<string>("dataroot_gt"), map.Get("filename_tmpl", "{}")),
        ["Dataset_DefocusDeblur_DualPixel_16bit"] = (map, _) => new DualPixelFolderSet.Spec(
            map.Require<string>("dataroot_lqL"), map.Require<string>("dataroot_lqR"), map.Require<string>("dataroot_gt"),
            map.Get("filename_tmpl", "{}")),
        ["Dataset_GaussianDenoising"] = GaussianNoiseSet.Spec.Parse,
        ["SyntheticPairedDataset"] = SyntheticPairSet.Spec.Parse,
    };

    /// <summary>The names accepted as <c>type</c>.</summary>
    public static IEnumerable<string> Names => Parsers.Keys;

    /// <summary>Reads the <c>type</c> of a dataset section and its type-specific keys.</summary>
    public static IPairedImageSetSpec Parse(OptionMap map, string phase)
    {
        var type = map.Require<string>("type");
        if (!Parsers.TryGetValue(type, out var parse))
            throw new OptionException($"{map.Source}: dataset '{map.PathOf("type")}: {type}' is not supported; use one of {string.Join(", ", Names)}.");
        return parse(map, phase);
    }
}

using System.CommandLine;
using Restormer.Inference;

namespace Restormer.Cli.Commands;

/// <summary>The options every command that runs the network shares (tiling, memory, device, threads).</summary>
public sealed class InferenceOptions
{
    private readonly Option<int?> tile = new("--tile", "--tile-size") { Description = "Restore in tiles of this side (a multiple of 8), as the reference's --tile. Default: automatic, only when the image would not fit the memory budget." };
    private readonly Option<int> tileOverlap = new("--tile-overlap", "--tile_overlap") { Description = "Overlap between tiles in pixels; overlaps are averaged.", DefaultValueFactory = _ => 32 };
    private readonly Option<double> memory = new("--memory-budget") { Description = "GiB the network's activations may use before images are tiled automatically.", DefaultValueFactory = _ => 2.0 };
    private readonly Option<string> device = new("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int?> threads = new("--threads") { Description = "CPU threads for the network (default: one per core)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { tile, tileOverlap, memory, device, threads })
            command.Options.Add(option);
    }

    public RestoreOptions Read(ParseResult parse) => new()
    {
        TileSize = parse.GetValue(tile),
        TileOverlap = parse.GetValue(tileOverlap),
        MemoryBudgetBytes = (long)(parse.GetValue(memory) * (1L << 30)),
        Device = parse.GetValue(device)!,
        Threads = parse.GetValue(threads),
    };
}

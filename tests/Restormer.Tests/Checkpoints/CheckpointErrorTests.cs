using System.IO.Compression;
using Restormer.Checkpoints;
using static TorchSharp.torch;
using static Restormer.Tests.Checkpoints.CheckpointTestFiles;

namespace Restormer.Tests.Checkpoints;

public class CheckpointErrorTests
{
    static string Temp(string name, byte[] content)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void MissingFileIsNamed() =>
        AssertLoadFails(Path.Combine(TestPaths.NewTempDir(), "nope.pth"), "does not exist");

    [Fact]
    public void FolderIsNamed() => AssertLoadFails(TestPaths.NewTempDir(), "is a folder");

    [Fact]
    public void EmptyFileIsNamed() => AssertLoadFails(Temp("empty.pth", []), "is empty");

    [Fact]
    public void PngRenamedToPthIsNamed() =>
        AssertLoadFails(Temp("photo.pth", File.ReadAllBytes(Path.Combine(TestPaths.Metrics, "ref_0.png"))), "neither a PyTorch .pth", "89504E47");

    [Fact]
    public void LegacyTorchFormatAsksForAResave() =>
        AssertLoadFails(Temp("old.pth", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]), "legacy", "Re-save");

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_device_tensor_from_numpy")]
    public void GlobalsOutsideTheAllowListAreRefusedByName(string module, string name)
    {
        var viaGlobal = new PickleBuilder().Global(module, name).Op('(').Str("touch /tmp/pwned").Op('t').Op('R').Stop();
        AssertLoadFails(TorchZip(viaGlobal), $"'{module}.{name}'", "could run arbitrary code");
        var viaStackGlobal = new PickleBuilder().Str(module).Str(name).Op(0x93).Op(')').Op('R').Stop();
        AssertLoadFails(TorchZip(viaStackGlobal), $"'{module}.{name}'");
    }

    [Fact]
    public void PickledObjectsBeyondAStateDictAreRefused()
    {
        // NEWOBJ (0x81), as a pickled nn.Module would use.
        AssertLoadFails(TorchZip(new PickleBuilder().Global("collections", "OrderedDict").Op(')').Op(0x81).Stop()), "opcode 0x81", "re-save only the weights");
        AssertLoadFails(TorchZip(new PickleBuilder().Op(']').Stop()), "holds a list, not a dict of weights");
        AssertLoadFails(TorchZip(PickleBuilder.StateDict("params", ("epoch", p => p.Int(3)))), "maps str 'epoch' to a int");
        AssertLoadFails(TorchZip(new PickleBuilder().Op('}').Str("params").Int(1).Op('s').Stop()), "'params' entry is a int");
        AssertLoadFails(TorchZip(new PickleBuilder().Op('}').Str("model").Op('}').Op('s').Stop()), "no 'params', 'params_ema' or 'state_dict'", "model");
    }

    [Fact]
    public void InconsistentStoragesAreRefused()
    {
        Action<PickleBuilder> TwoFloats(long numel, long offset = 0, long[]? size = null, long[]? stride = null) =>
            p => p.Tensor("0", numel, offset, size ?? [2], stride ?? [1]);
        string File(Action<PickleBuilder> tensor, params float[] storage) => TorchZip(PickleBuilder.StateDict("params", ("w", tensor)), ("0", storage));

        AssertLoadFails(File(TwoFloats(3), 1, 2), "holds 8 bytes", "says 3 elements");
        AssertLoadFails(File(TwoFloats(2, offset: 1), 1, 2), "reaches past its 2-element storage");
        AssertLoadFails(File(TwoFloats(2, size: [-1], stride: [1]), 1, 2), "negative size");
        AssertLoadFails(File(TwoFloats(2, size: [1L << 62, 1L << 62], stride: [0, 0]), 1, 2), "more than 2^63 bytes");
        AssertLoadFails(File(TwoFloats(2, size: [1L << 40], stride: [0]), 1, 2), "more bytes than the file stores"); // zero stride: 4 TiB from 8 bytes
        AssertLoadFails(File(p => p.Tensor("missing", 2, 0, [2], [1]), 1, 2), "'archive/data/missing' is missing");
        AssertLoadFails(File(p => p.Tensor("0", 2, 0, [2], [1], storageClass: "ComplexFloatStorage"), 1, 2), "'torch.ComplexFloatStorage'");
    }

    [Fact]
    public void CompressedStorageIsRefused()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "deflated.pth");
        WriteZip(path, [("archive/data.pkl", PickleBuilder.StateDict("params", ("w", p => p.Tensor("0", 1024, 0, [1024], [1])))),
                        ("archive/data/0", new byte[4096])], CompressionLevel.Optimal);
        AssertLoadFails(path, "uncompressed");
    }

    [Fact]
    public void ZipWithoutAPickleIsNotACheckpoint()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "other.zip");
        WriteZip(path, [("readme.txt", "hello"u8.ToArray())]);
        AssertLoadFails(path, "without an <archive>/data.pkl");
    }

    [Fact]
    public void DamagedTensorDataFailsItsChecksum()
    {
        var bytes = File.ReadAllBytes(Fixture("tiny_withbias"));
        bytes[LocalRecords(bytes).Single(r => r.Name.EndsWith("/data/7")).DataAt + 3] ^= 0x40;
        AssertLoadFails(Temp("damaged.pth", bytes), "checksum");
    }

    [Fact]
    public void TruncatedFileIsReportedAsDamaged()
    {
        var bytes = File.ReadAllBytes(Fixture("tiny_withbias"));
        AssertLoadFails(Temp("cut.pth", bytes[..(bytes.Length / 2)]), "damaged");
    }

    [Fact]
    public void SavingIntoAMissingFolderNamesTheFile()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "no", "such", "w.pth");
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.SavePth(path, [new("w", ones(1))]));
        Assert.Contains(path, error.Message);
        Assert.Throws<ArgumentException>(() => CheckpointFile.SavePth(path + "x", [new("w", ones(1)), new("w", ones(1))]));
    }
}

using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// Reads a checkpoint in PyTorch's zip format (torch >= 1.6): <c>&lt;archive&gt;/data.pkl</c> pickles the object
/// and refers to tensor storages by persistent ids <c>('storage', torch.FloatStorage, key, location, numel)</c>
/// whose bytes are the zip entries <c>&lt;archive&gt;/data/&lt;key&gt;</c>. As the pickle's host it allows only
/// what a state_dict needs, so loading a file never runs code; tensors are read only when materialised.
/// </summary>
internal sealed class TorchZipReader : PickleReader.IHost, IDisposable
{
    /// <summary>A Python callable the pickle may name; nothing else can be called.</summary>
    sealed class Callable(string name)
    {
        public override string ToString() => name;
    }

    static readonly Callable OrderedDict = new("collections.OrderedDict");
    static readonly Callable RebuildTensor = new("torch._utils._rebuild_tensor_v2");
    static readonly Callable RebuildParameter = new("torch._utils._rebuild_parameter");

    readonly string _file;
    readonly long _fileLength;
    readonly ZipArchive _zip;
    readonly string _archive;
    readonly Dictionary<string, (StorageRef Storage, ZipArchiveEntry Entry)> _storages = [];
    long _storageBytes, _materialisedBytes;

    TorchZipReader(string file, ZipArchive zip, long fileLength)
    {
        (_file, _zip, _fileLength) = (file, zip, fileLength);
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl") && e.FullName.IndexOf('/') == e.FullName.Length - 9)
            ?? throw new CheckpointException(file, "is a zip file without an <archive>/data.pkl record, so it is not a torch.save checkpoint",
                "Pass a .pth file written by torch.save (a TorchScript or other zip will not do).");
        _archive = pickle.FullName[..^"data.pkl".Length];
        var byteOrder = zip.GetEntry(_archive + "byteorder");
        if (byteOrder != null && Encoding.ASCII.GetString(ReadAll(byteOrder, 16)) != "little")
            throw new CheckpointException(file, "was saved on a big-endian machine",
                "Load and re-save it with torch on a little-endian (x86/ARM) machine.");
    }

    /// <summary>Opens the zip; the caller checked that the file starts like one.</summary>
    public static TorchZipReader Open(string file)
    {
        var stream = File.OpenRead(file);
        try
        {
            return new TorchZipReader(file, new ZipArchive(stream, ZipArchiveMode.Read), stream.Length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Dispose() => _zip.Dispose();

    /// <summary>Unpickles data.pkl: plain values with <see cref="TensorRef"/>s where the tensors are.</summary>
    public object? ReadPickle() => PickleReader.Load(_file, ReadAll(_zip.GetEntry(_archive + "data.pkl")!, PickleReader.MaxBytes), this);

    /// <summary>
    /// Reads the tensor a <see cref="TensorRef"/> describes into fresh contiguous CPU memory. The tensors
    /// materialised together may not hold more bytes than the file's storages, so views that repeat elements
    /// (zero strides, overlaps) cannot turn a small file into a huge allocation.
    /// </summary>
    public Tensor Materialize(TensorRef tensor)
    {
        if (tensor.Bytes > _storageBytes - _materialisedBytes) // not a sum, which a 2^63-byte view could overflow
            throw CheckpointException.Corrupt(_file, "its tensors together hold more bytes than the file stores (views that repeat or share elements are not supported)");
        _materialisedBytes += tensor.Bytes;
        if (tensor.IsWholeStorage)
            return ReadStorage(tensor.Storage, tensor.Shape);
        using var storage = ReadStorage(tensor.Storage, [tensor.Storage.Numel]);
        using var view = storage.as_strided(tensor.Shape, tensor.Stride, tensor.Offset);
        return empty(tensor.Shape, tensor.Storage.DType.Type).copy_(view);
    }

    Tensor ReadStorage(StorageRef storage, long[] shape)
    {
        var entry = _storages[storage.Key].Entry;
        using var stream = entry.Open();
        var tensor = TensorBytes.Read(stream, shape, storage.DType.Type);
        uint crc = 0;
        TensorBytes.ForEachChunk(tensor, chunk => crc = Crc32.Append(crc, chunk));
        if (crc == entry.Crc32)
            return tensor;
        tensor.Dispose();
        throw ChecksumMismatch(entry);
    }

    /// <summary>ZipArchive does not verify checksums; PyTorch does, and a damaged download must not load as wrong weights.</summary>
    CheckpointException ChecksumMismatch(ZipArchiveEntry entry) =>
        CheckpointException.Corrupt(_file, $"the checksum of '{entry.FullName}' does not match its content");

    public object FindClass(string module, string name) => $"{module}.{name}" switch
    {
        "collections.OrderedDict" => OrderedDict,
        "torch._utils._rebuild_tensor_v2" => RebuildTensor,
        "torch._utils._rebuild_parameter" => RebuildParameter,
        _ when module == "torch" && DType.FromStorageClass(name) is { } type => type,
        var other => throw new CheckpointException(_file,
            $"its pickle refers to the Python global '{other}', which is not among the types a weights file uses " +
            "(collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch.*Storage); " +
            "loading it in Python could run arbitrary code, so it was not loaded",
            "Use a checkpoint that holds only tensors, re-saved from a trusted source with torch.save({'params': model.state_dict()}, path)."),
    };

    public object Reduce(object? callable, object?[] args)
    {
        if (ReferenceEquals(callable, OrderedDict) && args.Length == 0)
            return new OrderedDictionary<object, object?>();
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (ReferenceEquals(callable, RebuildTensor) && args is [StorageRef storage, long offset, object?[] size, object?[] stride, bool, ..] && args.Length <= 7)
            return TensorRef.Create(_file, storage, offset, Longs(size), Longs(stride));
        // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is just its tensor here.
        if (ReferenceEquals(callable, RebuildParameter) && args is [TensorRef data, bool, _])
            return data;
        throw CheckpointException.Corrupt(_file,
            $"its pickle calls {PickleReader.TypeName(callable)} with ({string.Join(", ", args.Select(PickleReader.TypeName))}), " +
            "which is not how torch.save writes tensors");
    }

    public object PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } id || id[0] is not "storage" || id[1] is not DType type || id[2] is not string key
            || id[3] is not string || id[4] is not long numel)
            throw CheckpointException.Corrupt(_file, "its pickle refers to an object outside the pickle that is not a tensor storage");
        if (_storages.TryGetValue(key, out var known))
            return known.Storage.DType == type && known.Storage.Numel == numel
                ? known.Storage
                : throw CheckpointException.Corrupt(_file, $"its pickle describes storage '{key}' in two different ways");
        var name = $"{_archive}data/{key}";
        var entry = _zip.GetEntry(name) ?? throw CheckpointException.Corrupt(_file, $"the tensor data '{name}' is missing");
        if (numel < 0 || numel > entry.Length / type.Size || numel * type.Size != entry.Length || entry.CompressedLength != entry.Length)
            throw CheckpointException.Corrupt(_file,
                $"'{name}' holds {entry.Length} bytes ({entry.CompressedLength} stored), but the pickle says {numel} elements of {type.Size} bytes, uncompressed");
        _storageBytes += entry.Length;
        if (_storageBytes > _fileLength)
            throw CheckpointException.Corrupt(_file, "its tensor data entries add up to more bytes than the file has");
        var storage = new StorageRef(key, type, numel);
        _storages[key] = (storage, entry);
        return storage;
    }

    long[] Longs(object?[] values) => values.Select(v => v as long? ?? throw CheckpointException.Corrupt(_file,
        $"a tensor's size or stride contains a {PickleReader.TypeName(v)}, not an int")).ToArray();

    byte[] ReadAll(ZipArchiveEntry entry, int maxBytes)
    {
        if (entry.Length > maxBytes || entry.Length < 0)
            throw new CheckpointException(_file, $"its record '{entry.FullName}' has {entry.Length} bytes, more than the {maxBytes} a weights file needs",
                "Save only the weights: torch.save({'params': model.state_dict()}, path).");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return Crc32.Append(0, bytes) == entry.Crc32 ? bytes : throw ChecksumMismatch(entry);
    }
}

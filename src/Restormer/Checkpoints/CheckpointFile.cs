using Restormer.IO;
using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// Reads and writes model weights as PyTorch <c>.pth</c> (the zip format torch.save writes, which the published
/// Restormer checkpoints use) and safetensors, without Python and without running anything stored in the file:
/// a checkpoint is untrusted input, so every structure is checked and anything that is not plain tensor data is
/// refused with a <see cref="CheckpointException"/>.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Where training code nests the weights, in order of preference (BasicSR writes 'params' and 'params_ema').</summary>
    static readonly string[] StateDictKeys = ["params", "params_ema", "state_dict"];
    const string DataParallelPrefix = "module.";

    enum Format { Pth, Safetensors }

    /// <summary>
    /// Loads the weights of a .pth or .safetensors file (told apart by content, not by name), in file order, as
    /// contiguous CPU tensors of the stored type that own their memory. For .pth the state_dict is the top-level
    /// dict's 'params', else 'params_ema', else 'state_dict', else the top-level dict itself. A leading 'module.'
    /// (left by DataParallel) is removed from every name.
    /// </summary>
    public static OrderedDictionary<string, Tensor> Load(string path) => Guard(path, () =>
        StripDataParallel(path, Detect(path) == Format.Pth ? LoadPth(path) : Safetensors.Read(path).Tensors));

    /// <summary>
    /// A quick structural check that reads no tensor data: a .pth's zip directory and pickle (a truncated download has
    /// lost the zip directory at its end), or a safetensors header whose tensors fit the file. Throws
    /// <see cref="CheckpointException"/> as <see cref="Load"/> would; a file that passes can still fail to load on
    /// damaged tensor data (checksums are verified by <see cref="Load"/>).
    /// </summary>
    public static void Check(string path) => Guard(path, () =>
    {
        if (Detect(path) == Format.Safetensors)
            Safetensors.CheckHeader(path);
        else
        {
            using var reader = TorchZipReader.Open(path);
            SelectStateDict(path, reader.ReadPickle());
        }
        return true;
    });

    /// <summary>Loads a safetensors file's tensors (in header order, names unchanged) and its string metadata.</summary>
    public static (OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) LoadSafetensors(string path) =>
        Guard(path, () => Detect(path) == Format.Safetensors
            ? Safetensors.Read(path)
            : throw new CheckpointException(path, "is a PyTorch .pth checkpoint, not a safetensors file", "Read it with CheckpointFile.Load."));

    /// <summary>
    /// Saves weights as <c>torch.save({key: state_dict})</c> would, so Python's <c>torch.load(path)[key]</c> is a
    /// state_dict for <c>model.load_state_dict</c>. The file is replaced atomically.
    /// </summary>
    public static void SavePth(string path, IEnumerable<KeyValuePair<string, Tensor>> stateDict, string key = "params")
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Save(path, stateDict, (stream, tensors) => TorchZipWriter.Write(stream, key, tensors));
    }

    /// <summary>Saves tensors (and optional string metadata) as a safetensors file, replacing it atomically.</summary>
    public static void SaveSafetensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, (stream, list) => Safetensors.Write(stream, list, metadata));

    static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, Action<Stream, IReadOnlyList<(string, Tensor)>> write)
    {
        var prepared = new List<(string Name, Tensor Tensor)>();
        var names = new HashSet<string>();
        try
        {
            foreach (var (name, tensor) in tensors)
            {
                if (!names.Add(name))
                    throw new ArgumentException($"The tensor name '{name}' appears twice.", nameof(tensors));
                DType.For(name, tensor);
                using var cpu = tensor.cpu();
                prepared.Add((name, cpu.contiguous()));
            }
            AtomicFile.Write(path, (Stream stream) => write(stream, prepared));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be written ({e.Message})", "Check that the folder exists, is writable and has free space.", e);
        }
        finally
        {
            foreach (var (_, tensor) in prepared)
                tensor.Dispose();
        }
    }

    static OrderedDictionary<string, Tensor> LoadPth(string path)
    {
        using var reader = TorchZipReader.Open(path);
        var stateDict = SelectStateDict(path, reader.ReadPickle());
        var tensors = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var (key, value) in stateDict)
            {
                if (key is not string name || value is not TensorRef tensor)
                    throw new CheckpointException(path, $"its state_dict maps {PickleReader.TypeName(key)} '{key}' to a {PickleReader.TypeName(value)}, not a name to a tensor",
                        "Save the model's weights: torch.save({'params': model.state_dict()}, path).");
                tensors.Add(name, reader.Materialize(tensor));
            }
            return tensors;
        }
        catch
        {
            DisposeAll(tensors);
            throw;
        }
    }

    static OrderedDictionary<object, object?> SelectStateDict(string path, object? root)
    {
        if (root is not OrderedDictionary<object, object?> top)
            throw new CheckpointException(path, $"holds a {PickleReader.TypeName(root)}, not a dict of weights",
                "Save the model's weights: torch.save({'params': model.state_dict()}, path).");
        foreach (var key in StateDictKeys)
            if (top.TryGetValue(key, out var inner))
                return inner as OrderedDictionary<object, object?> ?? throw new CheckpointException(path,
                    $"its '{key}' entry is a {PickleReader.TypeName(inner)}, not a state_dict", "Save the model's weights: torch.save({'params': model.state_dict()}, path).");
        if (top.Values.All(v => v is TensorRef))
            return top;
        throw new CheckpointException(path,
            $"has no 'params', 'params_ema' or 'state_dict' entry and is not itself a dict of tensors (its keys: {string.Join(", ", top.Keys.Take(10))})",
            "Save the model's weights: torch.save({'params': model.state_dict()}, path).");
    }

    static OrderedDictionary<string, Tensor> StripDataParallel(string path, OrderedDictionary<string, Tensor> tensors)
    {
        if (!tensors.Keys.Any(k => k.StartsWith(DataParallelPrefix, StringComparison.Ordinal)))
            return tensors;
        var renamed = new OrderedDictionary<string, Tensor>();
        foreach (var (name, tensor) in tensors)
            if (!renamed.TryAdd(name.StartsWith(DataParallelPrefix, StringComparison.Ordinal) ? name[DataParallelPrefix.Length..] : name, tensor))
            {
                DisposeAll(tensors);
                throw new CheckpointException(path, $"has both '{name}' and the same name without '{DataParallelPrefix}'",
                    "Keep one copy of each weight when saving.");
            }
        return renamed;
    }

    /// <summary>Tells the formats apart by their first bytes and rejects missing, empty and foreign files.</summary>
    static Format Detect(string path)
    {
        const string FixPath = "Pass the path of a Restormer weights file (.pth written by torch.save, or .safetensors).";
        switch (FileKind.NotRegular(path))
        {
            case "missing": throw new CheckpointException(path, "does not exist", "Check the path; download the weights first if needed.");
            case "a directory": throw new CheckpointException(path, "is a folder, not a file", FixPath);
            case { } kind: throw new CheckpointException(path, $"is {kind}, not a file", FixPath);
        }
        using var stream = File.OpenRead(path);
        var head = new byte[16];
        head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        if (head.Length == 0)
            throw new CheckpointException(path, "is empty", "Download or export the checkpoint again.");
        if (head.AsSpan().StartsWith("PK\x03\x04"u8) || head.AsSpan().StartsWith("PK\x05\x06"u8))
            return Format.Pth;
        if (Safetensors.LooksLike(head, stream.Length))
            return Format.Safetensors;
        if (head[0] == 0x80) // a bare pickle: torch.save before PyTorch 1.6, or with _use_new_zipfile_serialization=False
            throw new CheckpointException(path, "uses PyTorch's legacy (pre-1.6) serialization, which is not supported",
                "Re-save it with PyTorch 1.6 or newer: torch.save(torch.load(path), new_path).");
        throw new CheckpointException(path, $"is neither a PyTorch .pth (zip) nor a safetensors file (it starts with bytes {Convert.ToHexString(head, 0, Math.Min(8, head.Length))})", FixPath);
    }

    /// <summary>Turns the I/O errors a damaged file causes (bad zip structure, early end) into a CheckpointException.</summary>
    static T Guard<T>(string path, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw CheckpointException.Corrupt(path, $"cannot be read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CheckpointException(path, "cannot be opened (permission denied)", "Check the file's permissions.", e);
        }
    }

    static void DisposeAll(OrderedDictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
            tensor.Dispose();
    }
}

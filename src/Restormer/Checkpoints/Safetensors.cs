using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// The safetensors format: a little-endian u64 header length N, N bytes of JSON
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}</c>, then the tensors' bytes.
/// It holds no code by design; the reader still checks every offset and size against the file before allocating.
/// </summary>
internal static class Safetensors
{
    /// <summary>Largest header accepted, the same limit as the reference implementation's.</summary>
    const ulong MaxHeaderBytes = 100 << 20;
    const string MetadataKey = "__metadata__";

    sealed record Entry(string Name, DType DType, long[] Shape, long Begin, long End);

    /// <summary>True when the file starts with a header length that fits in the file, followed by '{'.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> head, long fileLength) =>
        head.Length > 8 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) <= (ulong)(fileLength - 8);

    /// <summary>Reads every tensor (in header order) and the metadata.</summary>
    public static (OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string file)
    {
        using var stream = File.OpenRead(file);
        var (entries, metadata, dataStart) = ReadHeader(file, stream);
        var tensors = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                stream.Position = dataStart + entry.Begin;
                tensors.Add(entry.Name, TensorBytes.Read(stream, entry.Shape, entry.DType.Type));
            }
            return (tensors, metadata);
        }
        catch
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw;
        }
    }

    /// <summary>Writes the tensors (contiguous, on the CPU) in order, the header padded to 8 bytes as the reference does.</summary>
    public static void Write(Stream output, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (name == MetadataKey)
                    throw new ArgumentException($"A tensor cannot be named '{MetadataKey}' in a safetensors file.", nameof(tensors));
                var type = DType.For(name, tensor);
                json.WriteStartObject(name);
                json.WriteString("dtype", type.SafetensorsCode);
                WriteArray(json, "shape", tensor.shape);
                WriteArray(json, "data_offsets", [offset, offset += tensor.NumberOfElements * type.Size]);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padded = (header.WrittenCount + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(header.WrittenSpan);
        output.Write(Enumerable.Repeat((byte)' ', padded - header.WrittenCount).ToArray());
        foreach (var (_, tensor) in tensors)
            TensorBytes.Write(output, tensor);
    }

    static void WriteArray(Utf8JsonWriter json, string name, long[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    /// <summary>Reads and checks the header only (names, types, shapes, offsets within the file).</summary>
    public static void CheckHeader(string file)
    {
        using var stream = File.OpenRead(file);
        ReadHeader(file, stream);
    }

    static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string file, FileStream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderBytes || length > (ulong)(stream.Length - 8))
            throw CheckpointException.Corrupt(file, $"its safetensors header claims {length} bytes, more than the file or the {MaxHeaderBytes}-byte limit allows");
        var header = new byte[length];
        stream.ReadExactly(header);
        if (!Utf8.IsValid(header)) // JsonDocument checks this only when a string is read, and then throws InvalidOperationException
            throw CheckpointException.Corrupt(file, "its safetensors header is not valid UTF-8");
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var json = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 4 });
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw CheckpointException.Corrupt(file, "its safetensors header is not a JSON object");
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                    ReadMetadata(file, property.Value, metadata);
                else
                    entries.Add(ReadEntry(file, property));
            }
        }
        catch (JsonException e)
        {
            throw CheckpointException.Corrupt(file, $"its safetensors header is not valid JSON ({e.Message})", e);
        }
        var dataStart = 8 + (long)length;
        CheckLayout(file, entries, stream.Length - dataStart);
        return (entries, metadata, dataStart);
    }

    static void ReadMetadata(string file, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw CheckpointException.Corrupt(file, $"its safetensors '{MetadataKey}' is not a JSON object");
        foreach (var item in element.EnumerateObject())
            if (item.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw CheckpointException.Corrupt(file, $"its safetensors metadata '{item.Name}' is repeated or not a string");
    }

    static Entry ReadEntry(string file, JsonProperty property)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeJson) || !value.TryGetProperty("data_offsets", out var offsetsJson))
            throw CheckpointException.Corrupt(file, $"its safetensors entry '{property.Name}' lacks a dtype, shape or data_offsets");
        var type = DType.FromSafetensors(dtype.GetString()!) ?? throw new CheckpointException(file,
            $"tensor '{property.Name}' has safetensors dtype '{dtype.GetString()}', which is not supported",
            "Convert the tensors to F32, F16, BF16, F64, I64, I32, I16, I8, U8 or BOOL.");
        long[] shape = Longs(file, property.Name, shapeJson), offsets = Longs(file, property.Name, offsetsJson);
        var bytes = type.BytesFor(shape);
        if (offsets.Length != 2 || bytes == null || offsets[1] - offsets[0] != bytes)
            throw CheckpointException.Corrupt(file,
                $"safetensors entry '{property.Name}' has shape [{string.Join(", ", shape)}] of {type.SafetensorsCode} but data_offsets [{string.Join(", ", offsets)}]");
        return new Entry(property.Name, type, shape, offsets[0], offsets[1]);
    }

    static long[] Longs(string file, string name, JsonElement array) =>
        array.ValueKind == JsonValueKind.Array && array.GetArrayLength() <= 64
            ? array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) && v >= 0 ? v
                  : throw CheckpointException.Corrupt(file, $"safetensors entry '{name}' has a shape or offset that is not a non-negative integer")).ToArray()
            : throw CheckpointException.Corrupt(file, $"safetensors entry '{name}' has a shape or offsets that are not a short array");

    /// <summary>
    /// Like the reference implementation, requires the tensors to tile the data exactly (no gaps, no overlaps,
    /// nothing past the end), so the bytes allocated equal the bytes in the file.
    /// </summary>
    static void CheckLayout(string file, List<Entry> entries, long dataLength)
    {
        if (entries.Select(e => e.Name).Distinct().Count() != entries.Count)
            throw CheckpointException.Corrupt(file, "its safetensors header names a tensor twice");
        long next = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != next)
                throw CheckpointException.Corrupt(file, $"safetensors tensor '{entry.Name}' starts at byte {entry.Begin} of the data, expected {next} (a gap or overlap)");
            next = entry.End;
        }
        if (next != dataLength)
            throw CheckpointException.Corrupt(file, $"its safetensors tensors cover {next} bytes but the file has {dataLength} bytes of data (truncated or padded)");
    }
}

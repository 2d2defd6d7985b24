using System.Text;
using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// Writes PyTorch's zip checkpoint layout: <c>archive/data.pkl</c>, <c>archive/byteorder</c>, one
/// <c>archive/data/i</c> per tensor and <c>archive/version</c>, all stored uncompressed with each record's data
/// aligned to 64 bytes by a padding extra field ("FB"), as PyTorch's own writer does so readers can map tensors
/// in place. Zip64 fields are added only when sizes or offsets need them.
/// </summary>
internal sealed class TorchZipWriter
{
    const int Alignment = 64;
    const uint Zip64Marker = uint.MaxValue;

    sealed record Record(string Name, long Offset, long Size, uint Crc);

    readonly Stream _out;
    readonly List<Record> _records = [];
    long _position;

    TorchZipWriter(Stream output) => _out = output;

    /// <summary>Writes <c>{key: OrderedDict(tensors)}</c>; the tensors must be contiguous and on the CPU.</summary>
    public static void Write(Stream output, string key, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var zip = new TorchZipWriter(output);
        zip.Add("archive/data.pkl", PickleWriter.StateDict(key, tensors));
        zip.Add("archive/byteorder", "little"u8.ToArray());
        for (var i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i].Tensor;
            zip.Add($"archive/data/{i}", tensor.NumberOfElements * tensor.ElementSize, visit => TensorBytes.ForEachChunk(tensor, visit));
        }
        zip.Add("archive/version", "3\n"u8.ToArray());
        zip.Finish();
    }

    void Add(string name, byte[] data) => Add(name, data.Length, visit => visit(data));

    /// <summary>Adds a stored record whose bytes <paramref name="forEachChunk"/> yields (twice: checksum, then data).</summary>
    void Add(string name, long size, Action<Action<Span<byte>>> forEachChunk)
    {
        uint crc = 0;
        forEachChunk(chunk => crc = Crc32.Append(crc, chunk));
        var record = new Record(name, _position, size, crc);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var zip64 = size >= Zip64Marker;
        var header = new BinaryWriter(new MemoryStream());
        header.Write(0x04034b50u); // local file header
        WriteCommon(header, record, zip64, nameBytes.Length);
        var extraAt = header.BaseStream.Position;
        header.Write((ushort)0); // extra length, set below
        header.Write(nameBytes);
        if (zip64)
            WriteZip64Extra(header, [size, size]);
        var padding = (int)((Alignment - (_position + header.BaseStream.Position + 4) % Alignment) % Alignment);
        header.Write("FB"u8);
        header.Write((ushort)padding);
        header.Write(Enumerable.Repeat((byte)'Z', padding).ToArray());
        var extraLength = header.BaseStream.Position - extraAt - 2 - nameBytes.Length;
        header.Seek((int)extraAt, SeekOrigin.Begin);
        header.Write((ushort)extraLength);
        Emit(((MemoryStream)header.BaseStream).ToArray());
        forEachChunk(chunk => Emit(chunk));
        _records.Add(record);
    }

    /// <summary>The fields a local header shares with a central directory entry, from "version needed" on.</summary>
    static void WriteCommon(BinaryWriter w, Record record, bool zip64, int nameLength)
    {
        w.Write((ushort)(zip64 ? 45 : 20)); // version needed to extract
        w.Write((ushort)0); // flags
        w.Write((ushort)0); // method: stored
        w.Write((ushort)0); // time 00:00
        w.Write((ushort)0x21); // date 1980-01-01
        w.Write(record.Crc);
        w.Write(zip64 ? Zip64Marker : (uint)record.Size); // compressed size
        w.Write(zip64 ? Zip64Marker : (uint)record.Size); // uncompressed size
        w.Write((ushort)nameLength);
    }

    static void WriteZip64Extra(BinaryWriter w, IReadOnlyList<long> values)
    {
        w.Write((ushort)1);
        w.Write((ushort)(8 * values.Count));
        foreach (var value in values)
            w.Write(value);
    }

    void Finish()
    {
        var directoryStart = _position;
        foreach (var record in _records)
        {
            var nameBytes = Encoding.UTF8.GetBytes(record.Name);
            bool bigSize = record.Size >= Zip64Marker, bigOffset = record.Offset >= Zip64Marker;
            var zip64 = new List<long>();
            if (bigSize)
                zip64.AddRange([record.Size, record.Size]);
            if (bigOffset)
                zip64.Add(record.Offset);
            var w = new BinaryWriter(new MemoryStream());
            w.Write(0x02014b50u); // central directory header
            w.Write((ushort)45); // version made by
            WriteCommon(w, record, bigSize, nameBytes.Length);
            w.Write((ushort)(zip64.Count > 0 ? 4 + 8 * zip64.Count : 0)); // extra length
            w.Write((ushort)0); // comment length
            w.Write((ushort)0); // disk number
            w.Write((ushort)0); // internal attributes
            w.Write(0u); // external attributes
            w.Write(bigOffset ? Zip64Marker : (uint)record.Offset);
            w.Write(nameBytes);
            if (zip64.Count > 0)
                WriteZip64Extra(w, zip64);
            Emit(((MemoryStream)w.BaseStream).ToArray());
        }
        WriteEnd(directoryStart, _position - directoryStart);
    }

    void WriteEnd(long directoryStart, long directorySize)
    {
        var w = new BinaryWriter(new MemoryStream());
        long count = _records.Count;
        var zip64 = count >= ushort.MaxValue || directoryStart >= Zip64Marker || directorySize >= Zip64Marker;
        if (zip64)
        {
            var recordAt = _position;
            w.Write(0x06064b50u); // zip64 end of central directory record
            w.Write(44L); // size of the rest of this record
            w.Write((ushort)45);
            w.Write((ushort)45);
            w.Write(0u); // this disk
            w.Write(0u); // disk with the directory
            w.Write(count);
            w.Write(count);
            w.Write(directorySize);
            w.Write(directoryStart);
            w.Write(0x07064b50u); // zip64 end of central directory locator
            w.Write(0u);
            w.Write(recordAt);
            w.Write(1u); // total disks
        }
        w.Write(0x06054b50u); // end of central directory record
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)Math.Min(count, ushort.MaxValue));
        w.Write((ushort)Math.Min(count, ushort.MaxValue));
        w.Write((uint)Math.Min(directorySize, Zip64Marker));
        w.Write((uint)Math.Min(directoryStart, Zip64Marker));
        w.Write((ushort)0); // comment length
        Emit(((MemoryStream)w.BaseStream).ToArray());
    }

    void Emit(ReadOnlySpan<byte> bytes)
    {
        _out.Write(bytes);
        _position += bytes.Length;
    }
}

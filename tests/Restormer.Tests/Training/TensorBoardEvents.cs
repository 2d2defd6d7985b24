using System.Buffers.Binary;
using Tensorboard;

namespace Restormer.Tests.Training;

/// <summary>
/// Reads a TensorBoard event file as TensorBoard does: TFRecord frames (uint64 length, masked CRC-32C of the length,
/// the <c>Event</c> protobuf, masked CRC-32C of the data), each checksum verified with a CRC-32C computed here,
/// independently of the writer's.
/// </summary>
public static class TensorBoardEvents
{
    public static List<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (var at = 0; at < bytes.Length;)
        {
            Assert.True(bytes.Length - at >= 16, $"truncated record at byte {at}");
            var header = bytes.AsSpan(at, 8);
            var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
            Assert.Equal(MaskedCrc(header), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            at += 16 + length;
        }
        return events;
    }

    static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}

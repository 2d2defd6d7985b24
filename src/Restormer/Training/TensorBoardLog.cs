using System.Buffers.Binary;
using Google.Protobuf;
using OpenCvSharp;
using Tensorboard;
using TorchSharp.Utils;

namespace Restormer.Training;

/// <summary>
/// A TensorBoard event file (<c>events.out.tfevents.&lt;time&gt;.&lt;host&gt;</c>) for <c>use_tb_logger</c>: scalars
/// (loss, learning rate, validation scores) and PNG images, as TensorBoard's own writer frames them: each record is
/// the length (uint64 LE), its masked CRC-32C, the serialized <c>Event</c> protobuf and its masked CRC-32C. The
/// protobuf classes and the CRC are TorchSharp's (<c>Tensorboard.*</c>, <see cref="CRC32C"/>); TorchSharp's own
/// <c>SummaryWriter</c> is not used because it encodes images through SkiaSharp, whose native library this build
/// does not ship, and stamps whole seconds. Every record is flushed, so TensorBoard shows a running job's curves.
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    readonly FileStream file;
    readonly Lock gate = new();

    /// <summary>Starts a new event file in <paramref name="folder"/> (created if needed).</summary>
    public TensorBoardLog(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        FilePath = Path.Combine(folder, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}");
        file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = Seconds(now), FileVersion = "brain.Event:2" });
    }

    /// <summary>The event file.</summary>
    public string FilePath { get; }

    /// <summary>Records <paramref name="value"/> under <paramref name="tag"/> at <paramref name="step"/>.</summary>
    public void Scalar(string tag, double value, long step) =>
        Write(Summary(step, new Summary.Types.Value { Tag = tag, SimpleValue = (float)value }));

    /// <summary>Records an 8-bit BGR or grey image under <paramref name="tag"/> at <paramref name="step"/> (stored as PNG).</summary>
    public void Image(string tag, Mat image, long step)
    {
        Cv2.ImEncode(".png", image, out var png);
        var encoded = new Summary.Types.Image
        {
            Height = image.Rows,
            Width = image.Cols,
            Colorspace = image.Channels(),
            EncodedImageString = ByteString.CopyFrom(png),
        };
        Write(Summary(step, new Summary.Types.Value { Tag = tag, Image = encoded }));
    }

    static Event Summary(long step, Summary.Types.Value value)
    {
        var summary = new Summary();
        summary.Value.Add(value);
        return new Event { WallTime = Seconds(DateTimeOffset.UtcNow), Step = step, Summary = summary };
    }

    static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    void Write(Event record)
    {
        var data = record.ToByteArray();
        var frame = new byte[8 + 4 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), MaskedCrc(frame[..8]));
        data.CopyTo(frame, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(12 + data.Length), MaskedCrc(data));
        lock (gate)
        {
            file.Write(frame);
            file.Flush();
        }
    }

    // TFRecord's checksum: CRC-32C rotated right by 15 bits plus a constant.
    static uint MaskedCrc(byte[] data)
    {
        var crc = CRC32C.process(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <inheritdoc/>
    public void Dispose() => file.Dispose();
}

using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace Restormer.Checkpoints;

/// <summary>
/// Writes the protocol-2 pickle that <c>torch.save({key: state_dict})</c> produces: a dict holding an OrderedDict
/// of <c>_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())</c> calls, each storage a
/// persistent id <c>('storage', torch.FloatStorage, "i", 'cpu', numel)</c> naming zip entry <c>data/i</c>.
/// </summary>
internal sealed class PickleWriter
{
    readonly MemoryStream _out = new();
    readonly Dictionary<string, int> _globals = [];

    /// <summary>The pickle for <paramref name="tensors"/> (contiguous), the i-th stored as storage "i".</summary>
    public static byte[] StateDict(string key, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var w = new PickleWriter();
        w.Op(0x80, 2); // PROTO 2
        w.Op((byte)'}'); // EMPTY_DICT
        w.String(key);
        w.NewOrderedDict();
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            w.String(name);
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Op((byte)'('); // MARK: the arguments
            w.Op((byte)'('); // MARK: the persistent id
            w.String("storage");
            w.Global("torch", DType.For(name, tensor).StorageClass);
            w.String(i.ToString());
            w.String("cpu");
            w.Int(tensor.NumberOfElements);
            w.Op((byte)'t', (byte)'Q'); // TUPLE, BINPERSID
            w.Int(0);
            w.Tuple(tensor.shape);
            w.Tuple(tensor.stride());
            w.Op(0x89); // NEWFALSE: requires_grad
            w.NewOrderedDict(); // backward hooks
            w.Op((byte)'t', (byte)'R', (byte)'s'); // TUPLE, REDUCE, SETITEM into the OrderedDict
        }
        w.Op((byte)'s', (byte)'.'); // SETITEM into the outer dict, STOP
        return w._out.ToArray();
    }

    void Op(params ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    void NewOrderedDict()
    {
        Global("collections", "OrderedDict");
        Op((byte)')', (byte)'R'); // EMPTY_TUPLE, REDUCE
    }

    /// <summary>GLOBAL the first time, then BINGET from the memo, as Python's pickler does.</summary>
    void Global(string module, string name)
    {
        if (_globals.TryGetValue($"{module}.{name}", out var index))
        {
            Op((byte)'j'); // LONG_BINGET
            UInt32(index);
            return;
        }
        Op((byte)'c');
        Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        _globals[$"{module}.{name}"] = index = _globals.Count;
        Op((byte)'r'); // LONG_BINPUT
        UInt32(index);
    }

    void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Op((byte)'X'); // BINUNICODE
        UInt32(bytes.Length);
        Op(bytes);
    }

    void Int(long value)
    {
        if (value is >= 0 and < 256)
            Op((byte)'K', (byte)value); // BININT1
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            Op((byte)'J'); // BININT
            UInt32((int)value);
        }
        else
        {
            Op(0x8a, 8); // LONG1, 8 bytes
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Op(bytes);
        }
    }

    void Tuple(long[] values)
    {
        Op((byte)'('); // MARK
        foreach (var value in values)
            Int(value);
        Op((byte)'t'); // TUPLE
    }

    void UInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        Op(bytes);
    }
}

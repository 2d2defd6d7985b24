using System.Buffers.Binary;
using System.Text;

namespace Restormer.Checkpoints;

/// <summary>
/// A restricted unpickler for the pickles <c>torch.save</c> writes (protocols 2-5). Unlike Python's, it never
/// imports or calls anything: it builds plain values (None, bool, int as long, float as double, str, tuple as
/// object?[], list, dict as <see cref="OrderedDictionary{TKey,TValue}"/>) and hands every global, call and
/// persistent id to an <see cref="IHost"/> that allows only what a tensor checkpoint needs. Every size is
/// checked before it is used, so a hostile pickle ends in a <see cref="CheckpointException"/>, never a crash or hang.
/// </summary>
internal sealed class PickleReader
{
    /// <summary>Largest pickle accepted; a state_dict's pickle is a few hundred bytes per tensor.</summary>
    public const int MaxBytes = 64 << 20;
    // Bounds on what a hostile pickle can make us allocate: values built (each opcode builds at most one), memo
    // entries, MARK nesting and GLOBAL name length. A state_dict takes about 25 values and 11 memo entries per tensor.
    const int MaxValues = 1 << 22, MaxMemo = 1 << 20, MaxMarkDepth = 1000, MaxGlobalName = 512;

    /// <summary>The policy half of unpickling: which globals exist and what calling them or a persistent id means.</summary>
    public interface IHost
    {
        /// <summary>Resolves <c>module.name</c> to a value; throws for anything not on the host's allow-list.</summary>
        object FindClass(string module, string name);

        /// <summary>Applies a resolved global to its arguments (REDUCE).</summary>
        object Reduce(object? callable, object?[] args);

        /// <summary>Resolves a persistent id (BINPERSID), e.g. torch's reference to a tensor storage.</summary>
        object PersistentLoad(object? pid);
    }

    readonly string _file;
    readonly byte[] _data;
    readonly IHost _host;
    readonly List<object?> _stack = [];
    readonly Stack<int> _marks = new();
    readonly Dictionary<uint, object?> _memo = [];
    int _pos, _values;

    PickleReader(string file, byte[] data, IHost host) => (_file, _data, _host) = (file, data, host);

    /// <summary>Unpickles <paramref name="data"/>; <paramref name="file"/> names the checkpoint in error messages.</summary>
    public static object? Load(string file, byte[] data, IHost host) => new PickleReader(file, data, host).Run();

    /// <summary>Python's name for the type of an unpickled value, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        object?[] => "tuple",
        List<object?> => "list",
        OrderedDictionary<object, object?> => "dict",
        _ => value.ToString() ?? value.GetType().Name,
    };

    object? Run()
    {
        while (true)
        {
            var at = _pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol is < 2 or > 5)
                        throw Corrupt(at, $"pickle protocol {protocol} is not one torch.save writes (2-5)");
                    break;
                case 0x95: Read(8); break; // FRAME: only a read-ahead hint
                case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxMarkDepth)
                        throw Corrupt(at, $"pickle nests deeper than {MaxMarkDepth} levels");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'X': Push(ReadString(ReadUInt(4), at)); break; // BINUNICODE
                case 0x8c: Push(ReadString(ReadByte(), at)); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadString(ReadUInt(8), at)); break; // BINUNICODE8
                case (byte)'q': Memoize(ReadByte(), at); break; // BINPUT
                case (byte)'r': Memoize((uint)ReadUInt(4), at); break; // LONG_BINPUT
                case 0x94: Memoize((uint)_memo.Count, at); break; // MEMOIZE
                case (byte)'h': Push(Recall(ReadByte(), at)); break; // BINGET
                case (byte)'j': Push(Recall((uint)ReadUInt(4), at)); break; // LONG_BINGET
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)ReadUInt(2)); break; // BININT2
                case 0x8a: Push(ReadLong1(at)); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break; // BINFLOAT
                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'t': Push(PopToMark(at).ToArray()); break; // TUPLE
                case 0x85: Push(PopMany(1, at)); break; // TUPLE1
                case 0x86: Push(PopMany(2, at)); break; // TUPLE2
                case 0x87: Push(PopMany(3, at)); break; // TUPLE3
                case (byte)'c': Push(_host.FindClass(ReadLine(at), ReadLine(at))); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                    var name = Pop<string>(at, "STACK_GLOBAL name");
                    Push(_host.FindClass(Pop<string>(at, "STACK_GLOBAL module"), name));
                    break;
                case (byte)'R': // REDUCE
                    var args = Pop<object?[]>(at, "REDUCE arguments");
                    Push(_host.Reduce(Pop(at), args));
                    break;
                case (byte)'b': Build(at); break; // BUILD
                case (byte)'s': // SETITEM
                    var value = Pop(at);
                    var key = Pop(at);
                    SetItems(at, [key, value]);
                    break;
                case (byte)'u': SetItems(at, PopToMark(at)); break; // SETITEMS
                case (byte)'a': // APPEND
                    var item = Pop(at);
                    Peek<List<object?>>(at, "APPEND target").Add(item);
                    break;
                case (byte)'e': // APPENDS
                    var items = PopToMark(at);
                    Peek<List<object?>>(at, "APPENDS target").AddRange(items);
                    break;
                case (byte)'Q': Push(_host.PersistentLoad(Pop(at))); break; // BINPERSID
                case (byte)'.': return Pop(at); // STOP
                default:
                    throw new CheckpointException(_file,
                        $"its pickle uses opcode 0x{op:X2} at byte {at}, which a saved state_dict never contains",
                        "If it holds a whole model or training state, re-save only the weights: torch.save({'params': model.state_dict()}, path).");
            }
        }
    }

    void Build(int at)
    {
        var state = Pop(at);
        var target = Peek<object>(at, "BUILD target");
        // torch pickles a state_dict (an OrderedDict) with its attribute dict, {'_metadata': per-module versions}.
        // Restoring weights needs none of it, and plain values cannot run code, so it is checked and dropped.
        if (target is not OrderedDictionary<object, object?> || state is not (null or OrderedDictionary<object, object?>))
            throw Corrupt(at, $"pickle sets the state of a {TypeName(target)} from a {TypeName(state)}, which torch.save never does");
    }

    void SetItems(int at, IReadOnlyList<object?> pairs)
    {
        if (pairs.Count % 2 != 0)
            throw Corrupt(at, "pickle gives a dict an odd number of keys and values");
        var dict = Peek<OrderedDictionary<object, object?>>(at, "SETITEM target");
        for (var i = 0; i < pairs.Count; i += 2)
            dict[pairs[i] is string or long ? pairs[i]! : throw Corrupt(at, $"pickle uses a {TypeName(pairs[i])} as a dict key")] = pairs[i + 1];
    }

    void Push(object? value)
    {
        if (++_values > MaxValues)
            throw Corrupt(_pos, $"pickle builds more than {MaxValues} values");
        _stack.Add(value);
    }

    int Fence => _marks.Count > 0 ? _marks.Peek() : 0;

    object? Pop(int at)
    {
        if (_stack.Count <= Fence)
            throw Corrupt(at, "pickle takes a value from an empty stack");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    T Pop<T>(int at, string what) => Pop(at) is T value ? value : throw Corrupt(at, $"pickle's {what} has the wrong type");

    T Peek<T>(int at, string what)
    {
        if (_stack.Count <= Fence)
            throw Corrupt(at, $"pickle's {what} is missing");
        return _stack[^1] is T value ? value : throw Corrupt(at, $"pickle's {what} is a {TypeName(_stack[^1])}");
    }

    object?[] PopMany(int count, int at)
    {
        var items = new object?[count];
        for (var i = count - 1; i >= 0; i--)
            items[i] = Pop(at);
        return items;
    }

    List<object?> PopToMark(int at)
    {
        if (_marks.Count == 0)
            throw Corrupt(at, "pickle closes a MARK it never opened");
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, items.Count);
        return items;
    }

    void Memoize(uint index, int at)
    {
        if (_stack.Count <= Fence)
            throw Corrupt(at, "pickle memoizes a value from an empty stack");
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index))
            throw Corrupt(at, $"pickle memoizes more than {MaxMemo} values");
        _memo[index] = _stack[^1];
    }

    object? Recall(uint index, int at) =>
        _memo.TryGetValue(index, out var value) ? value : throw Corrupt(at, $"pickle recalls memo entry {index}, which was never stored");

    ReadOnlySpan<byte> Read(long count)
    {
        if (count > _data.Length - _pos)
            throw Corrupt(_pos, "pickle ends before its STOP opcode");
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    byte ReadByte() => Read(1)[0];

    ulong ReadUInt(int bytes)
    {
        ulong value = 0;
        var span = Read(bytes);
        for (var i = bytes - 1; i >= 0; i--)
            value = value << 8 | span[i];
        return value;
    }

    string ReadString(ulong length, int at) => length <= (ulong)(_data.Length - _pos)
        ? Encoding.UTF8.GetString(Read((long)length))
        : throw Corrupt(at, $"pickle has a {length}-byte string that runs past its end");

    string ReadLine(int at)
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos, Math.Min(MaxGlobalName, _data.Length - _pos));
        if (end < 0)
            throw Corrupt(at, "pickle has an unterminated GLOBAL name");
        var line = Encoding.UTF8.GetString(Read(end - _pos));
        _pos++;
        return line;
    }

    long ReadLong1(int at)
    {
        var length = ReadByte();
        if (length > 8)
            throw Corrupt(at, $"pickle has a {length * 8}-bit integer; checkpoints only need 64 bits");
        var bytes = Read(length);
        long value = length > 0 && (sbyte)bytes[^1] < 0 ? -1 : 0; // two's complement, little-endian
        for (var i = length - 1; i >= 0; i--)
            value = value << 8 | bytes[i];
        return value;
    }

    CheckpointException Corrupt(int at, string problem) => CheckpointException.Corrupt(_file, $"{problem} (data.pkl byte {at})");
}

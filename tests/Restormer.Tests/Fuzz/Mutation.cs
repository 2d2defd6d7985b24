using System.Text;
using CsCheck;

namespace Restormer.Tests.Fuzz;

/// <summary>
/// Byte-level edits of a valid input, the mutations a fuzzer such as AFL makes (bit flips, boundary values written
/// over sizes and counts in either byte order, inserted tokens, deletions, truncation, repeated chunks), as CsCheck
/// generators so that a failing case shrinks to fewer, simpler edits and is reproducible from its seed.
/// </summary>
public readonly record struct Mutation(int Kind, int Position, int Value, int Length)
{
    /// <summary>Values that break size and count checks: zero, one, the signed and unsigned edges, powers of two.</summary>
    static readonly int[] Boundaries = [0, 1, -1, 2, 255, 256, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, int.MinValue, 1 << 24, 1000000];

    /// <summary>Text that parsers treat specially: number edges, YAML aliases and tags, JSON and path tokens, NUL.</summary>
    static readonly string[] Tokens =
    [
        "-1", "0", "1e308", "-1e308", "99999999999999999999", "NaN", ".nan", ".inf", "~", "null", "[]", "{}", "[[[[", "{\"a\":",
        "*a", "&a ", "!!python/object:os.system", "<<: *a", "\0", "..", "../", "/etc/passwd", "\\", "\"", "'", ":", "- ", "\n  ",
        "\u202e", "\uFFFD", "%", "${HOME}",
    ];

    const int Kinds = 9;

    /// <summary>One edit: what, where (any int, taken modulo the input's length), with which value and length.</summary>
    public static readonly Gen<Mutation> Any = Gen.Int[0, Kinds - 1].Select(Gen.Int[0, int.MaxValue], Gen.Int, Gen.Int[1, 64],
        (kind, position, value, length) => new Mutation(kind, position, value, length));

    /// <summary>1 to <paramref name="most"/> edits, applied in order.</summary>
    public static Gen<Mutation[]> Edits(int most = 8) => Any.Array[1, most];

    /// <summary>A copy of <paramref name="input"/> with <paramref name="edits"/> applied.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> input, IEnumerable<Mutation> edits)
    {
        var bytes = new List<byte>(input.ToArray());
        foreach (var edit in edits)
            edit.ApplyTo(bytes);
        return [.. bytes];
    }

    void ApplyTo(List<byte> bytes)
    {
        int at = bytes.Count == 0 ? 0 : Position % bytes.Count;
        int boundary = Boundaries[(uint)Value % Boundaries.Length];
        switch (Kind)
        {
            case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << (int)((uint)Value % 8)); break;
            case 1 when bytes.Count > 0: bytes[at] = (byte)boundary; break;
            case 2: Overwrite(bytes, at, BitConverter.GetBytes(boundary)); break;
            case 3: Overwrite(bytes, at, BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(boundary))); break;
            case 4: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[(uint)Value % Tokens.Length])); break;
            case 5:
                int noise = Value;
                bytes.InsertRange(at, Enumerable.Range(0, Length).Select(i => (byte)(noise >> (i % 4 * 8))));
                break;
            case 6: bytes.RemoveRange(at, Math.Min(Length, bytes.Count - at)); break;
            case 7: bytes.RemoveRange(at, bytes.Count - at); break;
            case 8 when bytes.Count > 0:
                var chunk = bytes.GetRange(at, Math.Min(Length, bytes.Count - at));
                int copies = 1 + (int)((uint)Value % 4);
                bytes.InsertRange((int)((uint)Value % bytes.Count), Enumerable.Repeat(chunk, copies).SelectMany(c => c));
                break;
        }
    }

    static void Overwrite(List<byte> bytes, int at, byte[] value)
    {
        for (int i = 0; i < value.Length; i++)
            if (at + i < bytes.Count) bytes[at + i] = value[i];
            else bytes.Add(value[i]);
    }

    public override string ToString() => $"{Kind}@{Position}:{Value}x{Length}";
}

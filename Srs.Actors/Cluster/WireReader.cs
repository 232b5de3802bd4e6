using System.Text;

namespace Srs.Actors.Cluster;

/// <summary>Reads what <see cref="WireWriter"/> wrote; a truncated or oversized field is a <see cref="FormatException"/>.</summary>
public ref struct WireReader(ReadOnlySpan<byte> bytes)
{
    private ReadOnlySpan<byte> _rest = bytes;

    public ulong UInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_rest.IsEmpty) throw new FormatException("truncated integer");
            var b = _rest[0];
            _rest = _rest[1..];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("integer longer than 64 bits");
    }

    public long Int()
    {
        var raw = UInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int Int32() => checked((int)Int());

    public bool Bool() => UInt() != 0;

    /// <summary>A count of entries to follow, refused above <paramref name="max"/>.</summary>
    public int Count(int max)
    {
        var n = UInt();
        if (n > (ulong)max) throw new FormatException($"{n} entries, more than {max}");
        return (int)n;
    }

    public string String(int maxBytes)
    {
        var length = UInt();
        if (length > (ulong)maxBytes || length > (ulong)_rest.Length) throw new FormatException($"string of {length} bytes ({_rest.Length} left, at most {maxBytes})");
        var s = Encoding.UTF8.GetString(_rest[..(int)length]);
        _rest = _rest[(int)length..];
        return s;
    }
}

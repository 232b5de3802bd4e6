using System.Buffers;
using System.Text;

namespace Srs.Actors.Cluster;

/// <summary>
/// Writes the cluster's binary messages: unsigned LEB128 integers, length-prefixed UTF-8 strings,
/// fields in a fixed order. A reader stops at the fields it knows, so fields may only be added at
/// the end (see docs/cluster.md, "Wire format").
/// </summary>
public sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public WireWriter UInt(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
        return this;
    }

    public WireWriter Int(long value) => UInt((ulong)((value << 1) ^ (value >> 63))); // zig-zag: small negatives stay small

    public WireWriter Bool(bool value) => UInt(value ? 1u : 0u);

    public WireWriter String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        UInt((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}

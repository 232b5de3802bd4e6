using System.Buffers.Binary;
using System.Text;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Hand-built AMF0 values for raw clients. Deliberately independent of Srs.Protocol (the code
/// under test) and able to build wrong things: a hostile client needs malformed AMF too.
/// </summary>
public static class Amf0Bytes
{
    public static byte[] Number(double value)
    {
        var b = new byte[9];
        b[0] = 0x00;
        BinaryPrimitives.WriteDoubleBigEndian(b.AsSpan(1), value);
        return b;
    }

    public static byte[] Bool(bool value) => [0x01, value ? (byte)1 : (byte)0];

    public static byte[] String(string value) => [0x02, .. RawString(value)];

    public static byte[] Null() => [0x05];

    /// <summary>An AMF0 object of string keys; values are already-encoded AMF0 values.</summary>
    public static byte[] Object(params (string Key, byte[] Value)[] properties)
    {
        var b = new List<byte> { 0x03 };
        foreach (var (key, value) in properties)
        {
            b.AddRange(RawString(key));
            b.AddRange(value);
        }
        b.AddRange([0x00, 0x00, 0x09]);
        return [.. b];
    }

    /// <summary>A UTF-8 string with its 16-bit length and no marker (object keys).</summary>
    public static byte[] RawString(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var b = new byte[2 + utf8.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)utf8.Length);
        utf8.CopyTo(b, 2);
        return b;
    }

    public static byte[] Concat(params byte[][] values) => values.SelectMany(v => v).ToArray();
}

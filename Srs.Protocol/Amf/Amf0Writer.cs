using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Srs.Protocol.Amf;

/// <summary>Encodes AMF0 values (see <see cref="Amf0Object"/> for the value types); strings over 65535 bytes become long strings.</summary>
/// <remarks>
/// Other numeric types are written as numbers (AMF0 has only doubles); an unspecified-kind
/// DateTime is taken as UTC. Nesting is capped at <see cref="Amf0Reader.MaxDepth"/> so that
/// whatever this writes, <see cref="Amf0Reader"/> reads back, and so a cycle cannot overflow the stack.
/// </remarks>
public static class Amf0Writer
{
    // Replaces lone surrogates rather than throwing, as the reader does for bad bytes.
    private static readonly Encoding Utf8 = Encoding.UTF8;

    public static void WriteValue(IBufferWriter<byte> output, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(output, value, 0);
    }

    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(9);
        span[0] = Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public static void WriteBoolean(IBufferWriter<byte> output, bool value)
    {
        var span = output.GetSpan(2);
        span[0] = Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Utf8.GetByteCount(value);
        if (length <= ushort.MaxValue)
        {
            WriteMarker(output, Amf0Marker.String);
            WriteUtf8(output, value, length);
        }
        else
        {
            var span = output.GetSpan(5);
            span[0] = Amf0Marker.LongString;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            output.Advance(5);
            WriteBytes(output, value, length);
        }
    }

    public static void WriteNull(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Null);

    public static void WriteUndefined(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Undefined);

    public static void WriteDate(IBufferWriter<byte> output, DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        var ms = (utc.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
        var span = output.GetSpan(11);
        span[0] = Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], ms);
        BinaryPrimitives.WriteInt16BigEndian(span[9..], 0); // Time zone: reserved, 0.
        output.Advance(11);
    }

    private static void WriteValue(IBufferWriter<byte> output, object? value, int depth)
    {
        switch (value)
        {
            case null: WriteNull(output); break;
            case Amf0Undefined: WriteUndefined(output); break;
            case double d: WriteNumber(output, d); break;
            case bool b: WriteBoolean(output, b); break;
            case string s: WriteString(output, s); break;
            case int i: WriteNumber(output, i); break;
            case long l: WriteNumber(output, l); break;
            case uint u: WriteNumber(output, u); break;
            case float f: WriteNumber(output, f); break;
            case short sh: WriteNumber(output, sh); break;
            case ushort us: WriteNumber(output, us); break;
            case byte by: WriteNumber(output, by); break;
            case sbyte sb: WriteNumber(output, sb); break;
            case ulong ul: WriteNumber(output, ul); break;
            case DateTime dt: WriteDate(output, dt); break;
            case DateTimeOffset dto: WriteDate(output, dto.UtcDateTime); break;
            case Amf0Object o: WriteObject(output, o, Enter(depth)); break;
            case object?[] array: WriteStrictArray(output, array, Enter(depth)); break;
            case IEnumerable<object?> items: WriteStrictArray(output, Materialize(items), Enter(depth)); break;
            default: throw new ArgumentException($"AMF0 cannot encode {value.GetType()}", nameof(value));
        }
    }

    private static int Enter(int depth) => depth < Amf0Reader.MaxDepth
        ? depth + 1
        : throw new ArgumentException($"AMF0 nesting deeper than {Amf0Reader.MaxDepth} (or a cycle)", "value");

    // The count precedes the values, so a lazy sequence has to be enumerated first.
    private static IReadOnlyList<object?> Materialize(IEnumerable<object?> items) =>
        items as IReadOnlyList<object?> ?? items.ToList();

    private static void WriteObject(IBufferWriter<byte> output, Amf0Object obj, int depth)
    {
        if (obj.IsEcmaArray)
        {
            var span = output.GetSpan(5);
            span[0] = Amf0Marker.EcmaArray;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)obj.Count);
            output.Advance(5);
        }
        else
        {
            WriteMarker(output, Amf0Marker.Object);
        }

        foreach (var (key, value) in obj)
        {
            WriteKey(output, key);
            WriteValue(output, value, depth);
        }

        var end = output.GetSpan(3);
        end[0] = 0;
        end[1] = 0;
        end[2] = Amf0Marker.ObjectEnd;
        output.Advance(3);
    }

    private static void WriteStrictArray(IBufferWriter<byte> output, IReadOnlyList<object?> items, int depth)
    {
        var span = output.GetSpan(5);
        span[0] = Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)items.Count);
        output.Advance(5);
        for (var i = 0; i < items.Count; i++) WriteValue(output, items[i], depth);
    }

    private static void WriteKey(IBufferWriter<byte> output, string key)
    {
        var length = Utf8.GetByteCount(key);
        if (length > ushort.MaxValue)
            throw new ArgumentException("AMF0 property names are limited to 65535 UTF-8 bytes", "value");
        WriteUtf8(output, key, length);
    }

    /// <summary>A 16-bit length then the bytes (short string body and property names).</summary>
    private static void WriteUtf8(IBufferWriter<byte> output, string value, int length)
    {
        var span = output.GetSpan(2);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        output.Advance(2);
        WriteBytes(output, value, length);
    }

    private static void WriteBytes(IBufferWriter<byte> output, string value, int length)
    {
        if (length == 0) return;
        var written = Utf8.GetBytes(value, output.GetSpan(length));
        output.Advance(written);
    }

    private static void WriteMarker(IBufferWriter<byte> output, byte marker)
    {
        output.GetSpan(1)[0] = marker;
        output.Advance(1);
    }
}

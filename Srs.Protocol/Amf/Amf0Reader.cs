using System.Buffers.Binary;
using System.Text;
using Srs.Protocol.Rtmp;

namespace Srs.Protocol.Amf;

/// <summary>
/// Decodes AMF0 values from a span. Malformed input (truncation, unknown marker, nesting deeper
/// than 32, references) throws <see cref="Rtmp.RtmpProtocolException"/>.
/// </summary>
/// <remarks>
/// Input comes from untrusted peers: every length and count is checked against the bytes actually
/// left before it is used, and nothing is pre-allocated from a peer-supplied count.
/// An ECMA array may end at the end of the data without its end marker (SRS and ffmpeg accept
/// that from old encoders); objects must carry theirs.
/// </remarks>
public ref struct Amf0Reader(ReadOnlySpan<byte> data)
{
    /// <summary>Containers (object, ECMA array, strict array) that may be nested inside each other.</summary>
    public const int MaxDepth = 32;

    // Strict UTF-8 would reject strings some encoders send; replacement characters are harmless.
    private static readonly Encoding Utf8 = Encoding.UTF8;

    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }
    public readonly bool End => Position >= _data.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _data[Position..];

    /// <summary>Reads one value: double, bool, string, null, Amf0Undefined, Amf0Object, object?[] or DateTime.</summary>
    public object? ReadValue() => ReadValue(0);

    /// <summary>Reads one value that must be a string (either string marker).</summary>
    public string ReadString() =>
        ReadValue() as string ?? throw new RtmpProtocolException("AMF0: expected a string");

    private object? ReadValue(int depth)
    {
        var marker = ReadByte();
        switch (marker)
        {
            case Amf0Marker.Number: return ReadDouble();
            case Amf0Marker.Boolean: return ReadByte() != 0;
            case Amf0Marker.String: return ReadUtf8(ReadUInt16());
            case Amf0Marker.LongString: return ReadUtf8(ReadUInt32());
            case Amf0Marker.Null: return null;
            case Amf0Marker.Undefined: return Amf0Undefined.Instance;
            case Amf0Marker.Object: return ReadProperties(new Amf0Object(), Enter(depth));
            case Amf0Marker.EcmaArray:
                // The count is only a hint: encoders get it wrong, so read until the end marker.
                ReadUInt32();
                return ReadProperties(new Amf0Object(isEcmaArray: true), Enter(depth));
            case Amf0Marker.StrictArray: return ReadStrictArray(Enter(depth));
            case Amf0Marker.Date: return ReadDate();
            case Amf0Marker.Reference:
                throw new RtmpProtocolException("AMF0: references are not supported");
            default:
                throw new RtmpProtocolException($"AMF0: unexpected marker 0x{marker:X2} at {Position - 1}");
        }
    }

    private static int Enter(int depth) => depth < MaxDepth
        ? depth + 1
        : throw new RtmpProtocolException($"AMF0: nesting deeper than {MaxDepth}");

    private Amf0Object ReadProperties(Amf0Object target, int depth)
    {
        while (true)
        {
            if (target.IsEcmaArray && End) return target;
            var key = ReadUtf8(ReadUInt16());
            // The end marker is an empty key followed by 0x09; an empty key with a value is legal.
            if (key.Length == 0 && PeekByte() == Amf0Marker.ObjectEnd)
            {
                Position++;
                return target;
            }
            target.Add(key, ReadValue(depth));
        }
    }

    private object?[] ReadStrictArray(int depth)
    {
        var count = ReadUInt32();
        // Every value takes at least one byte, so a larger count cannot be honest.
        if (count > (uint)(_data.Length - Position))
            throw new RtmpProtocolException($"AMF0: strict array count {count} exceeds the data");
        var items = new List<object?>();
        for (var i = 0u; i < count; i++) items.Add(ReadValue(depth));
        return items.ToArray();
    }

    private DateTime ReadDate()
    {
        var ms = ReadDouble();
        ReadUInt16(); // Time zone: reserved, always 0 per the spec; the value is UTC.
        if (!double.IsFinite(ms) || ms < MinDateMs || ms > MaxDateMs)
            throw new RtmpProtocolException("AMF0: date out of range");
        return DateTime.UnixEpoch.AddTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond));
    }

    private static readonly double MinDateMs = (DateTime.MinValue - DateTime.UnixEpoch).TotalMilliseconds;
    private static readonly double MaxDateMs = (DateTime.MaxValue - DateTime.UnixEpoch).TotalMilliseconds - 1;

    private ReadOnlySpan<byte> Take(uint length)
    {
        if (length > (uint)(_data.Length - Position))
            throw new RtmpProtocolException($"AMF0: truncated at {Position} (need {length} bytes)");
        var slice = _data.Slice(Position, (int)length);
        Position += (int)length;
        return slice;
    }

    private readonly byte PeekByte() => End
        ? throw new RtmpProtocolException($"AMF0: truncated at {Position}")
        : _data[Position];

    private byte ReadByte() => Take(1)[0];
    private ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    private double ReadDouble() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    private string ReadUtf8(uint length) => length == 0 ? string.Empty : Utf8.GetString(Take(length));
}

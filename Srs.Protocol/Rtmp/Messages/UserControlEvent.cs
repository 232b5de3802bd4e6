using System.Buffers.Binary;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>A user control message (type 4). <paramref name="Value2"/> is the buffer length for SetBufferLength.</summary>
public readonly record struct UserControlEvent(ushort Type, uint Value, uint Value2 = 0)
{
    public const ushort StreamBegin = 0;
    public const ushort StreamEof = 1;
    public const ushort StreamDry = 2;
    public const ushort SetBufferLength = 3;
    public const ushort StreamIsRecorded = 4;
    public const ushort PingRequest = 6;
    public const ushort PingResponse = 7;

    /// <summary>Throws <see cref="RtmpProtocolException"/> for a body shorter than its event type needs.</summary>
    public static UserControlEvent Parse(ReadOnlySpan<byte> payload)
    {
        // Every event carries at least a 4-byte value (stream id or timestamp).
        if (payload.Length < 6)
        {
            throw new RtmpProtocolException($"User control message has {payload.Length} bytes; at least 6 expected.");
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(payload);
        uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[2..]);
        if (type != SetBufferLength)
        {
            return new UserControlEvent(type, value);
        }

        if (payload.Length < 10)
        {
            throw new RtmpProtocolException($"SetBufferLength user control message has {payload.Length} bytes; 10 expected.");
        }

        return new UserControlEvent(type, value, BinaryPrimitives.ReadUInt32BigEndian(payload[6..]));
    }
}

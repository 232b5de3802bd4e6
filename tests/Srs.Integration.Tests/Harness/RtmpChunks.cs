using System.Buffers.Binary;

namespace Srs.Integration.Tests.Harness;

/// <summary>
/// Hand-built RTMP chunks for raw clients (independent of Srs.Protocol, so they can also be
/// wrong on purpose): a type-0 chunk header, then the payload split at the default 128-byte
/// chunk size with type-3 continuation headers.
/// </summary>
public static class RtmpChunks
{
    public const byte SetChunkSize = 1, CommandAmf0 = 20, UserControl = 4, WindowAckSize = 5;

    public static byte[] Message(int chunkStreamId, byte typeId, uint streamId, byte[] payload, uint timestamp = 0, int chunkSize = 128)
        => Message(chunkStreamId, typeId, streamId, payload, payload.Length, timestamp, chunkSize);

    /// <summary>A message whose header declares <paramref name="declaredLength"/> (which may be a lie) bytes.</summary>
    public static byte[] Message(int chunkStreamId, byte typeId, uint streamId, byte[] payload, int declaredLength, uint timestamp = 0, int chunkSize = 128)
    {
        if (chunkStreamId is < 2 or > 63) throw new ArgumentOutOfRangeException(nameof(chunkStreamId), "one-byte basic headers only");
        var b = new List<byte>(payload.Length + 16) { (byte)chunkStreamId };
        b.AddRange([(byte)(timestamp >> 16), (byte)(timestamp >> 8), (byte)timestamp]);
        b.AddRange([(byte)(declaredLength >> 16), (byte)(declaredLength >> 8), (byte)declaredLength]);
        b.Add(typeId);
        var sid = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(sid, streamId);
        b.AddRange(sid);
        for (var offset = 0; offset < payload.Length; offset += chunkSize)
        {
            if (offset > 0) b.Add((byte)(0xC0 | chunkStreamId));
            b.AddRange(payload.AsSpan(offset, Math.Min(chunkSize, payload.Length - offset)).ToArray());
        }
        return [.. b];
    }

    /// <summary>AMF0 command message (type 20) on chunk stream 3.</summary>
    public static byte[] Command(uint streamId, params byte[][] amfValues) =>
        Message(3, CommandAmf0, streamId, Amf0Bytes.Concat(amfValues));

    public static byte[] SetChunkSizeMessage(uint size)
    {
        var body = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(body, size);
        return Message(2, SetChunkSize, 0, body);
    }

    public static byte[] Connect(string app, string tcUrl, double transactionId = 1) => Command(0,
        Amf0Bytes.String("connect"), Amf0Bytes.Number(transactionId),
        Amf0Bytes.Object(
            ("app", Amf0Bytes.String(app)),
            ("flashVer", Amf0Bytes.String("LNX 9,0,124,2")),
            ("tcUrl", Amf0Bytes.String(tcUrl)),
            ("fpad", Amf0Bytes.Bool(false)),
            ("capabilities", Amf0Bytes.Number(15)),
            ("audioCodecs", Amf0Bytes.Number(4071)),
            ("videoCodecs", Amf0Bytes.Number(252)),
            ("videoFunction", Amf0Bytes.Number(1))));

    public static byte[] CreateStream(double transactionId = 2) =>
        Command(0, Amf0Bytes.String("createStream"), Amf0Bytes.Number(transactionId), Amf0Bytes.Null());

    public static byte[] Play(uint streamId, string stream, double transactionId = 3) =>
        Command(streamId, Amf0Bytes.String("play"), Amf0Bytes.Number(transactionId), Amf0Bytes.Null(),
            Amf0Bytes.String(stream), Amf0Bytes.Number(-1000));

    /// <summary>User control Set Buffer Length (event 3) for a stream, as players send before play.</summary>
    public static byte[] SetBufferLength(uint streamId, uint milliseconds)
    {
        var body = new byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(body, 3);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(2), streamId);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(6), milliseconds);
        return Message(2, UserControl, 0, body);
    }
}

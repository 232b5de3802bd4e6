using System.Buffers;
using System.Buffers.Binary;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>Protocol control and user control messages (RTMP 1.0 sections 5.4 and 6.2).</summary>
/// <remarks>All are sent on chunk stream 2, message stream 0, timestamp 0 (as SRS does).</remarks>
public static class ProtocolControl
{
    public static void WriteWindowAckSize(ChunkWriter writer, IBufferWriter<byte> output, uint size)
        => WriteUInt32Message(writer, output, RtmpMessageType.WindowAckSize, size);

    /// <param name="limitType">0 hard, 1 soft, 2 dynamic.</param>
    public static void WriteSetPeerBandwidth(ChunkWriter writer, IBufferWriter<byte> output, uint size, byte limitType)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, size);
        payload[4] = limitType;
        Send(writer, output, RtmpMessageType.SetPeerBandwidth, payload);
    }

    public static void WriteAcknowledgement(ChunkWriter writer, IBufferWriter<byte> output, uint sequenceNumber)
        => WriteUInt32Message(writer, output, RtmpMessageType.Acknowledgement, sequenceNumber);

    public static void WriteUserControl(ChunkWriter writer, IBufferWriter<byte> output, UserControlEvent ev)
    {
        Span<byte> payload = stackalloc byte[10];
        int length = ev.Type == UserControlEvent.SetBufferLength ? 10 : 6;
        BinaryPrimitives.WriteUInt16BigEndian(payload, ev.Type);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], ev.Value);
        BinaryPrimitives.WriteUInt32BigEndian(payload[6..], ev.Value2);
        Send(writer, output, RtmpMessageType.UserControl, payload[..length]);
    }

    /// <summary>Reads the big-endian 32-bit body of Set Chunk Size, Acknowledgement and Window Ack Size.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            throw new RtmpProtocolException($"Protocol control message body has {payload.Length} bytes; 4 expected.");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    private static void WriteUInt32Message(ChunkWriter writer, IBufferWriter<byte> output, byte typeId, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        Send(writer, output, typeId, payload);
    }

    private static void Send(ChunkWriter writer, IBufferWriter<byte> output, byte typeId, ReadOnlySpan<byte> payload)
        => writer.Write(output, ChunkStreams.ProtocolControl, typeId, timestamp: 0, streamId: 0, payload);
}

using System.Buffers;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Rtmp.Messages;

/// <summary>Protocol control and user control messages (RTMP 1.0 sections 5.4 and 6.2).</summary>
public static class ProtocolControl
{
    public static void WriteWindowAckSize(ChunkWriter writer, IBufferWriter<byte> output, uint size) => throw new NotImplementedException();

    /// <param name="limitType">0 hard, 1 soft, 2 dynamic.</param>
    public static void WriteSetPeerBandwidth(ChunkWriter writer, IBufferWriter<byte> output, uint size, byte limitType) => throw new NotImplementedException();

    public static void WriteAcknowledgement(ChunkWriter writer, IBufferWriter<byte> output, uint sequenceNumber) => throw new NotImplementedException();

    public static void WriteUserControl(ChunkWriter writer, IBufferWriter<byte> output, UserControlEvent ev) => throw new NotImplementedException();

    /// <summary>Reads the big-endian 32-bit body of Set Chunk Size, Acknowledgement and Window Ack Size.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> payload) => throw new NotImplementedException();
}

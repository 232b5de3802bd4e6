using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using Srs.Protocol.Rtmp.Messages;
using static Srs.Protocol.Tests.Rtmp.TestBytes;

namespace Srs.Protocol.Tests.Rtmp;

public class ProtocolControlTests
{
    private static string HexOf(ArrayBufferWriter<byte> output) => Convert.ToHexString(output.WrittenSpan);

    [Fact]
    public void WindowAckSize()
    {
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteWindowAckSize(new ChunkWriter(), output, 2_500_000);
        Assert.Equal(Convert.ToHexString(Hex("02 000000 000004 05 00000000 002625A0")), HexOf(output));
    }

    [Fact]
    public void SetPeerBandwidth()
    {
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteSetPeerBandwidth(new ChunkWriter(), output, 2_500_000, 2);
        Assert.Equal(Convert.ToHexString(Hex("02 000000 000005 06 00000000 002625A0 02")), HexOf(output));
    }

    [Fact]
    public void Acknowledgement()
    {
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteAcknowledgement(new ChunkWriter(), output, 0x12345678);
        Assert.Equal(Convert.ToHexString(Hex("02 000000 000004 03 00000000 12345678")), HexOf(output));
    }

    [Fact]
    public void UserControl_StreamBegin()
    {
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteUserControl(new ChunkWriter(), output, new UserControlEvent(UserControlEvent.StreamBegin, 1));
        Assert.Equal(Convert.ToHexString(Hex("02 000000 000006 04 00000000 0000 00000001")), HexOf(output));
    }

    [Fact]
    public void UserControl_SetBufferLength_CarriesTheSecondValue()
    {
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteUserControl(new ChunkWriter(), output, new UserControlEvent(UserControlEvent.SetBufferLength, 1, 3000));
        Assert.Equal(Convert.ToHexString(Hex("02 000000 00000A 04 00000000 0003 00000001 00000BB8")), HexOf(output));
    }

    [Fact]
    public void ConnectSequence_UsesCompactHeadersOnChunkStream2_AndReadsBack()
    {
        // What a server sends after connect: the writer's csid 2 state turns later headers into fmt 1/3.
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        ProtocolControl.WriteWindowAckSize(writer, output, 2_500_000);
        ProtocolControl.WriteSetPeerBandwidth(writer, output, 2_500_000, 2);
        writer.SetChunkSize(output, 60000);
        ProtocolControl.WriteAcknowledgement(writer, output, 7);
        ProtocolControl.WriteUserControl(writer, output, new UserControlEvent(UserControlEvent.PingRequest, 99));

        Assert.Equal(Convert.ToHexString(Concat(
            Hex("02 000000 000004 05 00000000 002625A0"),
            Hex("42 000000 000005 06 002625A0 02"),
            Hex("42 000000 000004 01 0000EA60"),
            Hex("42 000000 000004 03 00000007"),
            Hex("42 000000 000006 04 0006 00000063"))), HexOf(output));

        var reader = new ChunkReader();
        var messages = ReaderHarness.ReadAll(reader, output.WrittenSpan.ToArray());
        Assert.Equal([5, 6, 1, 3, 4], messages.Select(m => (int)m.TypeId));
        Assert.All(messages, m => Assert.Equal((2, 0u, 0u), (m.ChunkStreamId, m.StreamId, m.Timestamp)));
        Assert.Equal(2_500_000u, ProtocolControl.ReadUInt32(messages[0].Payload.Span));
        Assert.Equal(60000, reader.ChunkSize);
        Assert.Equal(7u, ProtocolControl.ReadUInt32(messages[3].Payload.Span));
        Assert.Equal(new UserControlEvent(UserControlEvent.PingRequest, 99), UserControlEvent.Parse(messages[4].Payload.Span));
    }

    [Fact]
    public void ReadUInt32_IsBigEndian_AndIgnoresTrailingBytes()
    {
        Assert.Equal(0x01020304u, ProtocolControl.ReadUInt32(Hex("01020304")));
        Assert.Equal(0xFFFFFFFEu, ProtocolControl.ReadUInt32(Hex("FFFFFFFE 02")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("01")]
    [InlineData("010203")]
    public void ReadUInt32_Short_Throws(string hex)
    {
        Assert.Throws<RtmpProtocolException>(() => ProtocolControl.ReadUInt32(Hex(hex)));
    }
}

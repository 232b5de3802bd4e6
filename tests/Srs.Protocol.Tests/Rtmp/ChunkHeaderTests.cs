using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Tests.Rtmp;

public class ChunkHeaderTests
{
    private static string Full(int csid, byte type, uint ts, uint sid, int length)
    {
        var span = new byte[ChunkHeader.MaxFullSize];
        var n = ChunkHeader.WriteFull(span, csid, type, ts, sid, length);
        return Convert.ToHexString(span, 0, n);
    }

    private static string Continuation(int csid, uint ts)
    {
        var span = new byte[ChunkHeader.MaxContinuationSize];
        var n = ChunkHeader.WriteContinuation(span, csid, ts);
        return Convert.ToHexString(span, 0, n);
    }

    [Theory]
    // csid 6, timestamp 0x123456, length 0x000102, video (9), message stream 1 (little endian)
    [InlineData(6, 9, 0x123456u, 1u, 0x102, "06" + "123456" + "000102" + "09" + "01000000")]
    // timestamp 0xFFFFFF and above: the marker, then the 4-byte extended timestamp
    [InlineData(7, 8, 0x01000000u, 1u, 4, "07" + "FFFFFF" + "000004" + "08" + "01000000" + "01000000")]
    [InlineData(7, 8, 0xFFFFFFu, 1u, 4, "07" + "FFFFFF" + "000004" + "08" + "01000000" + "00FFFFFF")]
    // chunk stream ids 64-319 take a 2-byte basic header, 320 and above 3 bytes
    [InlineData(70, 18, 0u, 0u, 0, "0006" + "000000" + "000000" + "12" + "00000000")]
    [InlineData(400, 18, 0u, 0u, 0, "01" + "5001" + "000000" + "000000" + "12" + "00000000")]
    public void FullHeader_Bytes(int csid, byte type, uint ts, uint sid, int length, string expected) =>
        Assert.Equal(expected, Full(csid, type, ts, sid, length));

    [Theory]
    [InlineData(6, 40u, "C6")]
    [InlineData(6, 0x01000000u, "C6" + "01000000")] // extended timestamps repeat on every chunk
    [InlineData(70, 0u, "C006")]
    public void ContinuationHeader_Bytes(int csid, uint ts, string expected) =>
        Assert.Equal(expected, Continuation(csid, ts));

    [Fact]
    public void AMessageLaidOutByHand_IsWhatChunkWriterSendsFirst_AndReadsBack()
    {
        // What RtmpMediaPump sends: a full header, then the payload cut at the chunk size with continuation headers.
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        const int chunkSize = 128;
        var byHand = new ArrayBufferWriter<byte>();
        var span = byHand.GetSpan(ChunkHeader.MaxFullSize);
        byHand.Advance(ChunkHeader.WriteFull(span, ChunkStreams.Video, RtmpMessageType.Video, 0x01000000, 1, payload.Length));
        for (var offset = 0; ; )
        {
            var take = Math.Min(chunkSize, payload.Length - offset);
            byHand.Write(payload.AsSpan(offset, take));
            offset += take;
            if (offset == payload.Length) break;
            byHand.Advance(ChunkHeader.WriteContinuation(byHand.GetSpan(ChunkHeader.MaxContinuationSize), ChunkStreams.Video, 0x01000000));
        }

        var writer = new ChunkWriter(); // default chunk size 128
        var written = new ArrayBufferWriter<byte>();
        writer.Write(written, ChunkStreams.Video, RtmpMessageType.Video, 0x01000000, 1, payload);
        Assert.Equal(Convert.ToHexString(written.WrittenSpan), Convert.ToHexString(byHand.WrittenSpan));

        var reader = new ChunkReader(RtmpLimits.Default);
        var sequence = new ReadOnlySequence<byte>(byHand.WrittenMemory);
        Assert.True(reader.TryReadMessage(ref sequence, out var message));
        Assert.Equal(0x01000000u, message.Timestamp);
        Assert.Equal(payload, message.Payload.ToArray());
    }
}

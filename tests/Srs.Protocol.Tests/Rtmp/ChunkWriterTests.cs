using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using static Srs.Protocol.Tests.Rtmp.TestBytes;

namespace Srs.Protocol.Tests.Rtmp;

public class ChunkWriterTests
{
    private static string HexOf(ArrayBufferWriter<byte> output) => Convert.ToHexString(output.WrittenSpan);

    private static string HexOf(byte[] bytes) => Convert.ToHexString(bytes);

    [Fact]
    public void SpecAudioExample_IsWrittenAsFmt0Fmt2Fmt3Fmt3()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        for (int i = 0; i < 4; i++)
        {
            writer.Write(output, 3, RtmpMessageType.Audio, (uint)(1000 + 20 * i), 12345, Pattern(32, i));
        }

        Assert.Equal(HexOf(ChunkReaderTests.SpecAudioExample()), HexOf(output));
    }

    [Fact]
    public void SpecVideoExample_IsSplitAt128()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 4, RtmpMessageType.Video, 1000, 12346, Pattern(307));

        Assert.Equal(HexOf(ChunkReaderTests.SpecVideoExample()), HexOf(output));
    }

    [Fact]
    public void Fmt1_WhenLengthOrTypeChanges()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 4, RtmpMessageType.Audio, 100, 1, Hex("AABB"));
        writer.Write(output, 4, RtmpMessageType.Audio, 110, 1, Hex("CCDDEE"));  // length changes
        writer.Write(output, 4, RtmpMessageType.Video, 120, 1, Hex("112233"));  // type changes

        Assert.Equal(HexOf(Concat(
            Hex("04 000064 000002 08 01000000 AABB"),
            Hex("44 00000A 000003 08 CCDDEE"),
            Hex("44 00000A 000003 09 112233"))), HexOf(output));
    }

    [Fact]
    public void Fmt2_AfterFmt0EvenWhenDeltaEqualsTheTimestamp_ThenFmt3()
    {
        // fmt 3 straight after fmt 0 is read differently by SRS (extended) and ffmpeg, so never sent.
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 3, RtmpMessageType.Audio, 100, 1, Hex("AA"));
        writer.Write(output, 3, RtmpMessageType.Audio, 200, 1, Hex("BB"));
        writer.Write(output, 3, RtmpMessageType.Audio, 300, 1, Hex("CC"));
        writer.Write(output, 3, RtmpMessageType.Audio, 310, 1, Hex("DD"));

        Assert.Equal(HexOf(Concat(
            Hex("03 000064 000001 08 01000000 AA"),
            Hex("83 000064 BB"),
            Hex("C3 CC"),
            Hex("83 00000A DD"))), HexOf(output));
    }

    [Fact]
    public void Fmt0_WhenStreamIdChangesOrTimestampGoesBackwards()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 5, RtmpMessageType.CommandAmf0, 10, 1, Hex("AA"));
        writer.Write(output, 5, RtmpMessageType.CommandAmf0, 10, 2, Hex("BB"));
        writer.Write(output, 5, RtmpMessageType.CommandAmf0, 5, 2, Hex("CC"));

        Assert.Equal(HexOf(Concat(
            Hex("05 00000A 000001 14 01000000 AA"),
            Hex("05 00000A 000001 14 02000000 BB"),
            Hex("05 000005 000001 14 02000000 CC"))), HexOf(output));
    }

    [Fact]
    public void ChunkStreamsKeepSeparateState()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 6, RtmpMessageType.Video, 0, 1, Hex("AA"));
        writer.Write(output, 7, RtmpMessageType.Audio, 0, 1, Hex("BB"));
        writer.Write(output, 6, RtmpMessageType.Video, 40, 1, Hex("CC"));

        Assert.Equal(HexOf(Concat(
            Hex("06 000000 000001 09 01000000 AA"),
            Hex("07 000000 000001 08 01000000 BB"),
            Hex("86 000028 CC"))), HexOf(output));
    }

    [Fact]
    public void ExtendedTimestamp_IsWrittenAndRepeatedOnContinuationChunks()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 6, RtmpMessageType.Video, 0x01000000, 1, Pattern(200));

        Assert.Equal(HexOf(Concat(
            Hex("06 FFFFFF 0000C8 09 01000000 01000000"), Pattern(128),
            Hex("C6 01000000"), Pattern(200)[128..])), HexOf(output));
    }

    [Fact]
    public void ExtendedTimestamp_StartsAt0xFFFFFF()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 6, RtmpMessageType.Video, 0xFFFFFE, 1, Hex("AA"));
        writer.Write(output, 7, RtmpMessageType.Video, 0xFFFFFF, 1, Hex("BB"));

        Assert.Equal(HexOf(Concat(
            Hex("06 FFFFFE 000001 09 01000000 AA"),
            Hex("07 FFFFFF 000001 09 01000000 00FFFFFF BB"))), HexOf(output));
    }

    [Fact]
    public void DeltaOf0xFFFFFFOrMore_IsSentAsAbsoluteFmt0()
    {
        // Readers disagree on extended deltas; an absolute extended timestamp reads the same everywhere.
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 6, RtmpMessageType.Video, 0, 1, Hex("AA"));
        writer.Write(output, 6, RtmpMessageType.Video, 0x01000000, 1, Hex("BB"));
        writer.Write(output, 6, RtmpMessageType.Video, 0x01000010, 1, Hex("CC"));
        writer.Write(output, 6, RtmpMessageType.Video, 0x01FFFFFE, 1, Hex("DD"));
        writer.Write(output, 6, RtmpMessageType.Video, 0x01FFFFFF, 1, Pattern(130));

        Assert.Equal(HexOf(Concat(
            Hex("06 000000 000001 09 01000000 AA"),
            Hex("06 FFFFFF 000001 09 01000000 01000000 BB"),
            Hex("86 000010 CC"),                  // small delta again: fmt 2, no extended field
            Hex("86 FFFFEE DD"),
            Hex("46 000001 000082 09"), Pattern(130)[..128],
            Hex("C6"), Pattern(130)[128..])), HexOf(output));
    }

    [Theory]
    [InlineData(2, "02")]
    [InlineData(63, "3F")]
    [InlineData(64, "00 00")]
    [InlineData(319, "00 FF")]
    [InlineData(320, "01 00 01")]
    [InlineData(65599, "01 FF FF")]
    public void BasicHeaderForms_OnFirstAndContinuationChunks(int csid, string basicHeader)
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        var header = Hex(basicHeader);
        var continuation = (byte[])header.Clone();
        continuation[0] |= 0xC0;

        writer.Write(output, csid, RtmpMessageType.Video, 5, 1, Pattern(200));

        Assert.Equal(HexOf(Concat(header, Hex("000005 0000C8 09 01000000"), Pattern(128), continuation, Pattern(200)[128..])), HexOf(output));
    }

    [Fact]
    public void EmptyPayload_WritesOnlyTheHeader()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Write(output, 3, RtmpMessageType.DataAmf0, 1, 1, ReadOnlySpan<byte>.Empty);

        Assert.Equal(HexOf(Hex("03 000001 000000 12 01000000")), HexOf(output));
    }

    [Fact]
    public void SetChunkSize_IsSentWithTheOldSizeThenApplied()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.SetChunkSize(output, 200);
        writer.Write(output, 6, RtmpMessageType.Video, 0, 1, Pattern(300));

        Assert.Equal(200, writer.ChunkSize);
        Assert.Equal(HexOf(Concat(
            Hex("02 000000 000004 01 00000000 000000C8"),
            Hex("06 000000 00012C 09 01000000"), Pattern(300)[..200],
            Hex("C6"), Pattern(300)[200..])), HexOf(output));
    }

    [Fact]
    public void SetChunkSize_ToOne_SplitsItsOwnMessageWithTheOldSize()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        writer.SetChunkSize(output, 1);
        output.Clear();

        writer.SetChunkSize(output, 0x7FFFFFFF);

        // csid 2 already has type 1 / length 4 / delta 0 state: fmt 2 then one-byte fmt 3 chunks.
        Assert.Equal(HexOf(Hex("82 000000 7F C2 FF C2 FF C2 FF")), HexOf(output));
        Assert.Equal(0x7FFFFFFF, writer.ChunkSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void SetChunkSize_OutOfRange_Throws(int size)
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.SetChunkSize(output, size));
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal(128, writer.ChunkSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65600)]
    public void Write_InvalidChunkStreamId_Throws(int csid)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkWriter().Write(new ArrayBufferWriter<byte>(), csid, 8, 0, 0, Hex("AA")));
    }

    [Fact]
    public void Write_MessageOverThe24BitLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ChunkWriter().Write(new ArrayBufferWriter<byte>(), 6, 9, 0, 1, new byte[0x1000000]));
    }

    [Fact]
    public void Write_RtmpMessageOverload_MatchesFieldOverload()
    {
        var message = new RtmpMessage(99, RtmpMessageType.Video, 1000, 12346, Pattern(307));
        var output = new ArrayBufferWriter<byte>();

        new ChunkWriter().Write(output, 4, message);

        Assert.Equal(HexOf(ChunkReaderTests.SpecVideoExample()), HexOf(output));
    }

    [Fact]
    public void Write_AllocatesNothingPerMessage()
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var payload = Pattern(1000);
        var big = Pattern(5000);

        void WriteBatch()
        {
            for (int i = 0; i < 200; i++)
            {
                writer.Write(output, ChunkStreams.Video, RtmpMessageType.Video, (uint)(i * 40), 1, payload);
                writer.Write(output, ChunkStreams.Audio, RtmpMessageType.Audio, (uint)(i * 23), 1, payload.AsSpan(0, 10 + i % 3));
                writer.Write(output, 400, RtmpMessageType.Video, 0x01000000u + (uint)i, 1, big);
            }

            output.ResetWrittenCount();
        }

        WriteBatch(); // warm up (JIT, the dictionary entry for csid 400)
        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteBatch();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}

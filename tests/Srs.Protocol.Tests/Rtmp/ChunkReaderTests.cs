using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;
using static Srs.Protocol.Tests.Rtmp.TestBytes;

namespace Srs.Protocol.Tests.Rtmp;

public class ChunkReaderTests
{
    /// <summary>
    /// RTMP 1.0 section 5.3.2.2, example 1: four 32-byte audio messages on chunk stream 3,
    /// message stream 12345, timestamps 1000, 1020, 1040, 1060 sent as fmt 0, 2, 3, 3.
    /// </summary>
    internal static byte[] SpecAudioExample() => Concat(
        Hex("03 0003E8 000020 08 39300000"), Pattern(32, 0),
        Hex("83 000014"), Pattern(32, 1),
        Hex("C3"), Pattern(32, 2),
        Hex("C3"), Pattern(32, 3));

    /// <summary>
    /// RTMP 1.0 section 5.3.2.2, example 2: a 307-byte video message (chunk stream 4, message
    /// stream 12346, timestamp 1000) in chunks of 128, 128 and 51 bytes.
    /// </summary>
    internal static byte[] SpecVideoExample() => Concat(
        Hex("04 0003E8 000133 09 3A300000"), Pattern(307)[..128],
        Hex("C4"), Pattern(307)[128..256],
        Hex("C4"), Pattern(307)[256..]);

    [Fact]
    public void SpecAudioExample_AppliesFmt2DeltaAndFmt3RepeatedDelta()
    {
        var messages = ReaderHarness.ReadAll(new ChunkReader(), SpecAudioExample());

        Assert.Equal(4, messages.Count);
        for (int i = 0; i < 4; i++)
        {
            var m = messages[i];
            Assert.Equal(3, m.ChunkStreamId);
            Assert.Equal(RtmpMessageType.Audio, m.TypeId);
            Assert.Equal(12345u, m.StreamId);
            Assert.Equal((uint)(1000 + 20 * i), m.Timestamp);
            Assert.Equal(Pattern(32, i), m.Payload.ToArray());
        }
    }

    [Fact]
    public void SpecVideoExample_ReassemblesThreeChunks()
    {
        var messages = ReaderHarness.ReadAll(new ChunkReader(), SpecVideoExample());

        var m = Assert.Single(messages);
        Assert.Equal(4, m.ChunkStreamId);
        Assert.Equal(RtmpMessageType.Video, m.TypeId);
        Assert.Equal(12346u, m.StreamId);
        Assert.Equal(1000u, m.Timestamp);
        Assert.Equal(Pattern(307), m.Payload.ToArray());
    }

    [Fact]
    public void SpecExamples_ByteByByteInOneByteSegments()
    {
        var data = Concat(SpecAudioExample(), SpecVideoExample());

        var messages = ReaderHarness.ReadByteByByte(new ChunkReader(), data);

        Assert.Equal([1000u, 1020u, 1040u, 1060u, 1000u], messages.Select(m => m.Timestamp));
        Assert.Equal(Pattern(307), messages[4].Payload.ToArray());
    }

    [Fact]
    public void PartialChunk_IsLeftUnconsumed_WholeChunksAreConsumed()
    {
        var data = SpecVideoExample();
        var reader = new ChunkReader();
        int firstChunk = 12 + 128;
        // First chunk whole, second chunk cut after 50 of its 129 bytes.
        var input = new ReadOnlySequence<byte>(data, 0, firstChunk + 50);

        Assert.False(reader.TryReadMessage(ref input, out var message));
        Assert.Null(message);
        Assert.Equal(50, input.Length);
        Assert.Equal(data[firstChunk], input.FirstSpan[0]);

        // The connection appends what arrives next to the unconsumed bytes.
        input = new ReadOnlySequence<byte>(data, firstChunk, data.Length - firstChunk);
        Assert.True(reader.TryReadMessage(ref input, out message));
        Assert.Equal(Pattern(307), message.Payload.ToArray());
        Assert.Equal(0, input.Length);
    }

    [Fact]
    public void PartialHeader_ConsumesNothing()
    {
        var data = SpecVideoExample();
        for (int cut = 0; cut < 12 + 128; cut++)
        {
            var reader = new ChunkReader();
            var input = new ReadOnlySequence<byte>(data, 0, cut);
            Assert.False(reader.TryReadMessage(ref input, out _));
            Assert.Equal(cut, input.Length);
        }
    }

    [Fact]
    public void EachMessageOwnsAnExactSizePayload()
    {
        var messages = ReaderHarness.ReadAll(new ChunkReader(), SpecAudioExample());

        Assert.All(messages, m =>
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m.Payload, out var segment));
            Assert.Equal(0, segment.Offset);
            Assert.Equal(32, segment.Array!.Length);
        });
        Assert.Equal(4, messages.Select(m => m.Payload).Distinct().Count());
    }

    [Theory]
    [InlineData("00 00", 64)]
    [InlineData("00 FF", 319)]
    [InlineData("01 00 01", 320)]
    [InlineData("01 00 00", 64)] // the 3-byte form may also carry small ids
    [InlineData("01 FF FF", 65599)]
    public void TwoAndThreeByteBasicHeaders(string basicHeader, int expectedCsid)
    {
        // fmt 0 with 200 bytes, then its fmt 3 continuation with the same basic header id.
        var header = Hex(basicHeader);
        var continuation = (byte[])header.Clone();
        continuation[0] |= 0xC0;
        var data = Concat(header, Hex("000005 0000C8 09 01000000"), Pattern(128), continuation, Pattern(200)[128..]);

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));

        Assert.Equal(expectedCsid, m.ChunkStreamId);
        Assert.Equal(5u, m.Timestamp);
        Assert.Equal(Pattern(200), m.Payload.ToArray());
    }

    [Fact]
    public void InterleavedChunkStreams_ReassembleIndependently()
    {
        var audio = Pattern(200, 7);
        var video = Pattern(300, 100);
        var data = Concat(
            Hex("06 000010 00012C 09 01000000"), video[..128],
            Hex("04 00000F 0000C8 08 01000000"), audio[..128],
            Hex("C6"), video[128..256],
            Hex("C4"), audio[128..],
            Hex("C6"), video[256..]);

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal(2, messages.Count);
        Assert.Equal((4, RtmpMessageType.Audio, 15u), (messages[0].ChunkStreamId, messages[0].TypeId, messages[0].Timestamp));
        Assert.Equal(audio, messages[0].Payload.ToArray());
        Assert.Equal((6, RtmpMessageType.Video, 16u), (messages[1].ChunkStreamId, messages[1].TypeId, messages[1].Timestamp));
        Assert.Equal(video, messages[1].Payload.ToArray());
    }

    [Fact]
    public void Fmt1_KeepsStreamIdAndAddsDelta()
    {
        var data = Concat(
            Hex("04 000064 000002 08 07000000 AABB"),
            Hex("44 00000A 000003 09 CCDDEE"));

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal(110u, messages[1].Timestamp);
        Assert.Equal(7u, messages[1].StreamId);
        Assert.Equal(RtmpMessageType.Video, messages[1].TypeId);
        Assert.Equal(Hex("CCDDEE"), messages[1].Payload.ToArray());
    }

    [Fact]
    public void Fmt3StartingAMessageAfterFmt0_AddsTheFmt0TimestampAsDelta()
    {
        // Spec 5.3.1.2.4 / ffmpeg / SRS: after fmt 0, the "delta" fmt 3 repeats is the absolute timestamp.
        var data = Concat(Hex("03 000064 000001 08 01000000 AA"), Hex("C3 BB"), Hex("C3 CC"));

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal([100u, 200u, 300u], messages.Select(m => m.Timestamp));
        Assert.All(messages, m => Assert.Equal(1u, m.StreamId));
    }

    [Fact]
    public void ZeroLengthMessage_CompletesAtItsHeader()
    {
        var data = Hex("03 000001 000000 12 01000000");

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));

        Assert.Equal(0, m.Length);
        Assert.Equal(1u, m.Timestamp);
    }

    [Fact]
    public void FreshChunkStreamWithFmt1_IsAcceptedWithStreamIdZero()
    {
        // librtmp's first ping arrives this way (SRS issue 98).
        var data = Hex("42 000000 000006 04 0006 00000D0F");

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));

        Assert.Equal(2, m.ChunkStreamId);
        Assert.Equal(RtmpMessageType.UserControl, m.TypeId);
        Assert.Equal(0u, m.StreamId);
        Assert.Equal(Hex("0006 00000D0F"), m.Payload.ToArray());
    }

    [Theory]
    [InlineData("83 000014 AA")]
    [InlineData("C3 AA")]
    public void FreshChunkStreamWithFmt2Or3_Throws(string hex)
    {
        var ex = Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), Hex(hex)));
        Assert.Contains("fmt 0 expected", ex.Message);
    }

    // ---- extended timestamps ----

    [Fact]
    public void ExtendedTimestamp_Fmt0_RepeatedOnContinuationChunk()
    {
        var data = Concat(
            Hex("06 FFFFFF 0000C8 09 01000000 01000000"), Pattern(128),
            Hex("C6 01000000"), Pattern(200)[128..]);

        var m = Assert.Single(ReaderHarness.ReadByteByByte(new ChunkReader(), data));

        Assert.Equal(0x01000000u, m.Timestamp);
        Assert.Equal(Pattern(200), m.Payload.ToArray());
    }

    [Fact]
    public void ExtendedTimestamp_ExactlyFFFFFF_UsesExtendedField()
    {
        var data = Hex("06 FFFFFF 000001 09 01000000 00FFFFFF AA");

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));

        Assert.Equal(0xFFFFFFu, m.Timestamp);
    }

    [Fact]
    public void ExtendedTimestamp_OmittedOnContinuationChunk_IsToleratedAsPayload()
    {
        // Old librtmp/ffmpeg senders do not repeat it; the 4 bytes then don't match and are payload.
        var payload = Pattern(200, 0x40);
        var data = Concat(
            Hex("06 FFFFFF 0000C8 09 01000000 01000000"), payload[..128],
            Hex("C6"), payload[128..]);

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));

        Assert.Equal(0x01000000u, m.Timestamp);
        Assert.Equal(payload, m.Payload.ToArray());
    }

    [Fact]
    public void ExtendedDelta_Fmt1_ContinuationMayRepeatDeltaOrAbsoluteTimestamp()
    {
        var first = Hex("06 000005 000001 09 01000000 AA");
        // fmt 1 with a delta of 0x01000000 → absolute 0x01000005.
        var fmt1 = Hex("46 FFFFFF 0000C8 09 01000000");
        var payload = Pattern(200);

        // ffmpeg repeats the field value (the delta), SRS-style senders the absolute timestamp.
        foreach (var repeated in new[] { Hex("01000000"), Hex("01000005") })
        {
            var data = Concat(first, fmt1, payload[..128], Hex("C6"), repeated, payload[128..]);
            var messages = ReaderHarness.ReadAll(new ChunkReader(), data);
            Assert.Equal(0x01000005u, messages[1].Timestamp);
            Assert.Equal(payload, messages[1].Payload.ToArray());
        }
    }

    [Fact]
    public void ExtendedTimestamp_Fmt3StartingAMessage_CarriesAndAddsTheDelta()
    {
        var data = Concat(
            Hex("06 000005 000001 09 01000000 AA"),
            Hex("86 FFFFFF 01000000 BB"),   // fmt 2, extended delta → 0x01000005
            Hex("C6 01000000 CC"));          // fmt 3 new message: same delta again → 0x02000005

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal([5u, 0x01000005u, 0x02000005u], messages.Select(m => m.Timestamp));
        Assert.Equal(Hex("CC"), messages[2].Payload.ToArray());
    }

    [Fact]
    public void ExtendedTimestampEndsWhenNextHeaderIsSmall()
    {
        var data = Concat(
            Hex("06 FFFFFF 000001 09 01000000 01000000 AA"),
            Hex("86 000010 BB"),   // fmt 2 small delta: no extended field any more
            Hex("C6 CC"));          // fmt 3: no 4 bytes either

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal([0x01000000u, 0x01000010u, 0x01000020u], messages.Select(m => m.Timestamp));
    }

    // ---- protocol control applied by the reader ----

    [Fact]
    public void SetChunkSize_IsAppliedAndReturned()
    {
        var payload = Pattern(300);
        var data = Concat(
            Hex("02 000000 000004 01 00000000 00000100"),
            Hex("04 000000 00012C 09 01000000"), payload[..256],
            Hex("C4"), payload[256..]);
        var reader = new ChunkReader();

        var messages = ReaderHarness.ReadAll(reader, data);

        Assert.Equal(RtmpMessageType.SetChunkSize, messages[0].TypeId);
        Assert.Equal(256, reader.ChunkSize);
        Assert.Equal(payload, messages[1].Payload.ToArray());
    }

    [Theory]
    [InlineData("00000000", "outside")]
    [InlineData("00010001", "outside")] // 65537 > default MaxChunkSize
    [InlineData("80000100", "top bit")]
    public void SetChunkSize_OutOfRange_Throws(string value, string expected)
    {
        var data = Hex("02 000000 000004 01 00000000 " + value);

        var ex = Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), data));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void SetChunkSize_UpToConfiguredMaximum_IsAccepted()
    {
        var reader = new ChunkReader(RtmpLimits.Default with { MaxChunkSize = 1000 });

        ReaderHarness.ReadAll(reader, Hex("02 000000 000004 01 00000000 000003E8"));
        Assert.Equal(1000, reader.ChunkSize);

        Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(reader, Hex("02 000000 000004 01 00000000 000003E9")));
    }

    [Fact]
    public void SetChunkSize_ShortBody_Throws()
    {
        Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), Hex("02 000000 000003 01 00000000 000100")));
    }

    [Fact]
    public void Abort_DropsThePartialMessageOfThatChunkStream()
    {
        var data = Concat(
            Hex("06 000000 0000C8 09 01000000"), Pattern(128),          // partial video message
            Hex("02 000000 000004 02 00000000 00000006"),                 // Abort csid 6
            Hex("06 000010 000003 08 01000000 010203"));                  // a fresh fmt 0 message is fine again

        var messages = ReaderHarness.ReadAll(new ChunkReader(), data);

        Assert.Equal(RtmpMessageType.Abort, messages[0].TypeId);
        Assert.Equal(Hex("010203"), messages[1].Payload.ToArray());
        Assert.Equal(16u, messages[1].Timestamp);
    }

    // ---- limits and protocol errors ----

    [Fact]
    public void Fmt0InTheMiddleOfAMessage_Throws()
    {
        var data = Concat(Hex("06 000000 0000C8 09 01000000"), Pattern(128), Hex("06 000000 000003 09 01000000 010203"));

        var ex = Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), data));
        Assert.Contains("middle of a message", ex.Message);
    }

    [Fact]
    public void MessageLengthChangeMidMessage_Throws()
    {
        var data = Concat(Hex("06 000000 0000C8 09 01000000"), Pattern(128), Hex("46 000000 0000C9 09"));

        var ex = Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), data));
        Assert.Contains("length changed", ex.Message);
    }

    [Fact]
    public void MessageTypeChangeMidMessage_Throws()
    {
        var data = Concat(Hex("06 000000 0000C8 09 01000000"), Pattern(128), Hex("46 000000 0000C8 08"));

        Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(new ChunkReader(), data));
    }

    [Fact]
    public void Fmt1RepeatingTheSameLengthMidMessage_IsAccepted()
    {
        var payload = Pattern(200);
        var data = Concat(Hex("06 000000 0000C8 09 01000000"), payload[..128], Hex("46 000000 0000C8 09"), payload[128..]);

        var m = Assert.Single(ReaderHarness.ReadAll(new ChunkReader(), data));
        Assert.Equal(payload, m.Payload.ToArray());
    }

    [Fact]
    public void MessageLargerThanLimit_ThrowsAtTheHeader()
    {
        var reader = new ChunkReader(RtmpLimits.Default with { MaxMessageSize = 1000 });
        // Only the header has arrived: the limit is enforced before waiting for the body.
        var input = new ReadOnlySequence<byte>(Hex("06 000000 0003E9 09 01000000"));

        RtmpMessage? message = null;
        var ex = Assert.Throws<RtmpProtocolException>(() => reader.TryReadMessage(ref input, out message));
        Assert.Contains("exceeds", ex.Message);
    }

    [Fact]
    public void MessageAtLimit_IsAccepted()
    {
        var reader = new ChunkReader(RtmpLimits.Default with { MaxMessageSize = 100 });

        var m = Assert.Single(ReaderHarness.ReadAll(reader, Concat(Hex("06 000000 000064 09 01000000"), Pattern(100))));
        Assert.Equal(100, m.Length);
    }

    [Fact]
    public void DefaultMessageLimit_RejectsLargerThan8MB()
    {
        var input = new ReadOnlySequence<byte>(Hex("06 000000 800001 09 01000000"));
        Assert.Throws<RtmpProtocolException>(() => new ChunkReader().TryReadMessage(ref input, out _));
    }

    [Fact]
    public void TooManyChunkStreams_Throws()
    {
        var reader = new ChunkReader(RtmpLimits.Default with { MaxChunkStreams = 3 });
        var data = Concat(
            Hex("03 000000 000001 08 01000000 AA"),
            Hex("04 000000 000001 08 01000000 AA"),
            Hex("00 00 000000 000001 08 01000000 AA"), // csid 64
            Hex("04 000000 000001 08 01000000 AA"));   // known csid: still fine
        Assert.Equal(4, ReaderHarness.ReadAll(reader, data).Count);

        var ex = Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(reader, Hex("05 000000 000001 08 01000000 AA")));
        Assert.Contains("Too many chunk streams", ex.Message);
    }

    [Fact]
    public void AfterAnError_TheStateIsUnchanged()
    {
        // A limit error is raised before anything of the offending chunk is committed.
        var reader = new ChunkReader(RtmpLimits.Default with { MaxMessageSize = 10 });
        Assert.Throws<RtmpProtocolException>(() => ReaderHarness.ReadAll(reader, Hex("03 000000 00000B 08 01000000")));

        var m = Assert.Single(ReaderHarness.ReadAll(reader, Hex("03 000000 000001 08 01000000 AA")));
        Assert.Equal(1, m.Length);
    }

    [Fact]
    public void UnfinishedMessages_AreCappedByPendingBytes_AndReleasedWhenComplete()
    {
        var reader = new ChunkReader(RtmpLimits.Default with { MaxPendingBytes = 300 });
        var first128 = new byte[128];
        // Message of 200 bytes on csid 3: its first chunk reserves 200 bytes.
        Assert.Empty(ReaderHarness.ReadAll(reader, Concat(Hex("03 000000 0000C8 09 01000000"), first128)));

        // A second unfinished 200-byte message would hold 400 > 300: refused.
        var ex = Assert.Throws<RtmpProtocolException>(() =>
            ReaderHarness.ReadAll(reader, Concat(Hex("04 000000 0000C8 09 01000000"), first128)));
        Assert.Contains("over the limit", ex.Message);

        // Finishing the first releases its reservation; then the other fits.
        Assert.Single(ReaderHarness.ReadAll(reader, Concat(Hex("C3"), new byte[72])));
        Assert.Empty(ReaderHarness.ReadAll(reader, Concat(Hex("04 000000 0000C8 09 01000000"), first128)));
    }
}

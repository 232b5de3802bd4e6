using System.Buffers;
using Srs.Protocol.Flv;
using Srs.Protocol.Tests.Flv;

namespace Srs.Protocol.Tests;

public class FlvWriterTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [InlineData(true, true, "46 4C 56 01 05 00 00 00 09 00 00 00 00")]
    [InlineData(true, false, "46 4C 56 01 04 00 00 00 09 00 00 00 00")]
    [InlineData(false, true, "46 4C 56 01 01 00 00 00 09 00 00 00 00")]
    [InlineData(false, false, "46 4C 56 01 00 00 00 00 09 00 00 00 00")]
    public void Header_ExactBytes(bool audio, bool video, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(buffer, audio, video);
        Assert.Equal(Hex(hex), buffer.WrittenSpan.ToArray());
        Assert.Equal(FlvWriter.HeaderSize, buffer.WrittenCount);
    }

    [Fact]
    public void Tag_ExactBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FlvWriter.WriteTag(buffer, FlvTagType.Video, 0x12345678, Hex("17 01 AA"));
        Assert.Equal(
            Hex("09" + "00 00 03" + "34 56 78" + "12" + "00 00 00" + "17 01 AA" + "00 00 00 0E"),
            buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Tag_EmptyData()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FlvWriter.WriteTag(buffer, FlvTagType.Script, 40, ReadOnlySpan<byte>.Empty);
        Assert.Equal(Hex("12 00 00 00 00 00 28 00 00 00 00 00 00 00 0B"), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Tag_LargerThan24Bits_IsRejected()
    {
        var data = new byte[FlvWriter.MaxTagDataSize + 1];
        Assert.Throws<ArgumentException>(() => FlvWriter.WriteTag(new ArrayBufferWriter<byte>(), FlvTagType.Video, 0, data));
    }

    private static (byte[] Bytes, List<FlvTag> Tags) SampleStream(int seed)
    {
        var random = new Random(seed);
        var buffer = new ArrayBufferWriter<byte>();
        FlvWriter.WriteHeader(buffer, hasAudio: true, hasVideo: true);
        var tags = new List<FlvTag>();
        for (var i = 0; i < 40; i++)
        {
            var data = new byte[random.Next(0, i == 7 ? 70_000 : 300)];
            random.NextBytes(data);
            var type = new[] { FlvTagType.Audio, FlvTagType.Video, FlvTagType.Script }[random.Next(3)];
            var timestamp = i == 5 ? 0xFF000001u : (uint)(i * 33);
            FlvWriter.WriteTag(buffer, type, timestamp, data);
            tags.Add(new FlvTag(type, timestamp, data));
        }
        return (buffer.WrittenSpan.ToArray(), tags);
    }

    private static void AssertSameTags(List<FlvTag> expected, List<FlvTag> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].TagType, actual[i].TagType);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Data.ToArray(), actual[i].Data.ToArray());
        }
    }

    [Fact]
    public void Reader_ReadsWriterOutput_InOneSegment()
    {
        var (bytes, expected) = SampleStream(1);
        var input = new ReadOnlySequence<byte>(bytes);
        var reader = new FlvReader();
        var tags = new List<FlvTag>();
        while (reader.TryReadTag(ref input, out var tag)) tags.Add(tag!);

        Assert.True(input.IsEmpty);
        Assert.True(reader.HeaderRead && reader.HasAudio && reader.HasVideo);
        AssertSameTags(expected, tags);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Reader_ReadsWriterOutput_SplitInArbitrarySegments(int seed)
    {
        var (bytes, expected) = SampleStream(seed);
        var random = new Random(seed);
        var lengths = Enumerable.Range(0, bytes.Length).Select(_ => random.Next(1, 40)).ToList();
        var input = SequenceSegments.Split(bytes, lengths);
        var reader = new FlvReader();
        var tags = new List<FlvTag>();
        while (reader.TryReadTag(ref input, out var tag)) tags.Add(tag!);

        Assert.True(input.IsEmpty);
        AssertSameTags(expected, tags);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Reader_ReadsWriterOutput_AsItArrives(int seed)
    {
        // Bytes arrive in random pieces; the reader sees what is unconsumed, like a PipeReader.
        var (bytes, expected) = SampleStream(seed);
        var random = new Random(seed);
        var reader = new FlvReader();
        var tags = new List<FlvTag>();
        var consumed = 0;
        var received = 0;
        while (received < bytes.Length)
        {
            received = Math.Min(bytes.Length, received + random.Next(1, 700));
            var available = bytes.AsMemory(consumed, received - consumed);
            var input = SequenceSegments.Split(available, Enumerable.Repeat(random.Next(1, 50), available.Length));
            while (reader.TryReadTag(ref input, out var tag)) tags.Add(tag!);
            consumed = received - (int)input.Length;
        }

        Assert.Equal(bytes.Length, consumed);
        AssertSameTags(expected, tags);
    }

    [Fact]
    public void Reader_IncompleteInput_ReturnsFalseWithoutAdvancing()
    {
        var (bytes, _) = SampleStream(7);
        var reader = new FlvReader();

        var header = new ReadOnlySequence<byte>(bytes, 0, 12);
        Assert.False(reader.TryReadTag(ref header, out var none));
        Assert.Null(none);
        Assert.Equal(12, header.Length);
        Assert.False(reader.HeaderRead);

        // The header is consumed even though the tag after it is not complete yet.
        var partial = new ReadOnlySequence<byte>(bytes, 0, FlvWriter.HeaderSize + 5);
        Assert.False(reader.TryReadTag(ref partial, out _));
        Assert.True(reader.HeaderRead);
        Assert.Equal(5, partial.Length);
    }

    [Fact]
    public void Reader_BadSignature_Throws()
    {
        var input = new ReadOnlySequence<byte>(Hex("46 4C 58 01 05 00 00 00 09 00 00 00 00"));
        Assert.Throws<InvalidDataException>(() => new FlvReader().TryReadTag(ref input, out _));
    }

    [Fact]
    public void Reader_BadHeaderSize_Throws()
    {
        var input = new ReadOnlySequence<byte>(Hex("46 4C 56 01 05 00 00 00 03 00 00 00 00"));
        Assert.Throws<InvalidDataException>(() => new FlvReader().TryReadTag(ref input, out _));
    }

    [Fact]
    public void Reader_MismatchedPreviousTagSize_Throws()
    {
        var bytes = Hex("46 4C 56 01 05 00 00 00 09 00 00 00 00" + "08 00 00 01 00 00 00 00 00 00 00 AF 00 00 00 0D");
        var input = new ReadOnlySequence<byte>(bytes);
        Assert.Throws<InvalidDataException>(() => new FlvReader().TryReadTag(ref input, out _));
    }

    [Fact]
    public void Reader_HeaderWithExtraBytes_IsSkipped()
    {
        var bytes = Hex("46 4C 56 01 04 00 00 00 0B EE EE 00 00 00 00" + "08 00 00 01 00 00 05 00 00 00 00 AF 00 00 00 0C");
        var input = new ReadOnlySequence<byte>(bytes);
        var reader = new FlvReader();
        Assert.True(reader.TryReadTag(ref input, out var tag));
        Assert.True(reader.HasAudio);
        Assert.False(reader.HasVideo);
        Assert.Equal(FlvTagType.Audio, tag!.TagType);
        Assert.Equal(5u, tag.Timestamp);
        Assert.Equal(Hex("AF"), tag.Data.ToArray());
        Assert.True(input.IsEmpty);
    }
}

using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Tests.Rtmp;

/// <summary>reader(writer(x)) == x for random messages, chunk sizes and input segmentation.</summary>
public class ChunkRoundTripTests
{
    private static readonly int[] ChunkStreamIds = [3, 4, 5, 6, 7, 8, 63, 64, 319, 320, 1000, 65599];
    private static readonly int[] ChunkSizes = [1, 2, 7, 100, 128, 4096, 60000, 65536];

    private static List<RtmpMessage> RandomMessages(Random random, int count)
    {
        var timestamps = new Dictionary<int, uint>();
        var messages = new List<RtmpMessage>();
        for (int i = 0; i < count; i++)
        {
            int csid = ChunkStreamIds[random.Next(ChunkStreamIds.Length)];
            timestamps.TryGetValue(csid, out uint ts);
            ts = random.Next(10) switch
            {
                0 => (uint)random.NextInt64(0, 0x1_0000_0000),  // jump anywhere, often extended or backwards
                1 => ts,
                2 => unchecked(ts + 0xFFFFFF),                   // extended delta
                _ => unchecked(ts + (uint)random.Next(0, 100)),
            };
            timestamps[csid] = ts;

            // Repeat shapes often, so fmt 1/2/3 get exercised, not just fmt 0.
            int length = random.Next(4) == 0 ? random.Next(0, 5000) : 32 * random.Next(0, 3);
            var payload = new byte[length];
            random.NextBytes(payload);
            byte type = random.Next(2) == 0 ? RtmpMessageType.Audio : RtmpMessageType.Video;
            uint streamId = random.Next(8) == 0 ? (uint)random.Next() : 1u;
            messages.Add(new RtmpMessage(csid, type, ts, streamId, payload));
        }

        return messages;
    }

    private static void AssertSame(IReadOnlyList<RtmpMessage> expected, IReadOnlyList<RtmpMessage> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal((e.ChunkStreamId, e.TypeId, e.Timestamp, e.StreamId), (a.ChunkStreamId, a.TypeId, a.Timestamp, a.StreamId));
            Assert.True(e.Payload.Span.SequenceEqual(a.Payload.Span), $"payload of message {i} differs");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomMessages_RoundTrip_WithChunkSizeChanges_RandomSegments(int seed)
    {
        var random = new Random(seed);
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        var expected = new List<RtmpMessage>();

        foreach (var message in RandomMessages(random, 300))
        {
            if (random.Next(40) == 0)
            {
                int size = ChunkSizes[random.Next(ChunkSizes.Length)];
                writer.SetChunkSize(output, size);
                expected.Add(new RtmpMessage(ChunkStreams.ProtocolControl, RtmpMessageType.SetChunkSize, 0, 0,
                    new byte[] { (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size }));
            }

            writer.Write(output, message.ChunkStreamId, message);
            expected.Add(message);
        }

        var reader = new ChunkReader(RtmpLimits.Default with { MaxChunkStreams = ChunkStreamIds.Length + 1 });
        var input = TestSequences.RandomSplit(output.WrittenSpan.ToArray(), random, maxPiece: 300);
        var actual = ReaderHarness.ReadAll(reader, ref input);

        Assert.Equal(0, input.Length);
        AssertSame(expected, actual);
        Assert.Equal(writer.ChunkSize, reader.ChunkSize);
    }

    [Fact]
    public void RandomMessages_RoundTrip_ByteByByte()
    {
        var random = new Random(42);
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        writer.SetChunkSize(output, 50);
        var expected = RandomMessages(random, 60).Select(m => m with { Payload = m.Payload[..Math.Min(m.Length, 300)] }).ToList();
        foreach (var message in expected)
        {
            writer.Write(output, message.ChunkStreamId, message);
        }

        var actual = ReaderHarness.ReadByteByByte(new ChunkReader(), output.WrittenSpan.ToArray());

        AssertSame(expected, actual.Skip(1).ToList());
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void InterleavedChunksOfSeveralStreams_RoundTrip(int seed)
    {
        // Each stream's messages are chunked by the writer, then the chunks of different streams
        // are shuffled together (order kept within a stream), as a server multiplexing audio and
        // video with partial messages outstanding would send them.
        var random = new Random(seed);
        var writer = new ChunkWriter();
        int[] csids = [4, 6, 8, 330];
        var queues = csids.ToDictionary(c => c, _ => new Queue<byte[]>());
        var expectedPerStream = csids.ToDictionary(c => c, _ => new List<RtmpMessage>());
        var timestamps = csids.ToDictionary(c => c, _ => 0u);

        for (int i = 0; i < 200; i++)
        {
            int csid = csids[random.Next(csids.Length)];
            timestamps[csid] += (uint)random.Next(0, 50); // small: continuation headers are just the basic header
            var payload = new byte[random.Next(0, 700)];
            random.NextBytes(payload);
            var message = new RtmpMessage(csid, RtmpMessageType.Video, timestamps[csid], 1, payload);
            expectedPerStream[csid].Add(message);

            var one = new ArrayBufferWriter<byte>();
            writer.Write(one, csid, message);
            foreach (var chunk in SplitChunks(one.WrittenSpan.ToArray(), payload.Length, writer.ChunkSize, csid < 64 ? 1 : csid < 320 ? 2 : 3))
            {
                queues[csid].Enqueue(chunk);
            }
        }

        var stream = new List<byte>();
        var pending = csids.Where(c => queues[c].Count > 0).ToList();
        while (pending.Count > 0)
        {
            int csid = pending[random.Next(pending.Count)];
            stream.AddRange(queues[csid].Dequeue());
            if (queues[csid].Count == 0)
            {
                pending.Remove(csid);
            }
        }

        var input = TestSequences.RandomSplit(stream.ToArray(), random, maxPiece: 100);
        var actual = ReaderHarness.ReadAll(new ChunkReader(), ref input);

        Assert.Equal(0, input.Length);
        foreach (int csid in csids)
        {
            AssertSame(expectedPerStream[csid], actual.Where(m => m.ChunkStreamId == csid).ToList());
        }
    }

    /// <summary>Cuts one written message (no extended timestamp) back into its chunks.</summary>
    private static IEnumerable<byte[]> SplitChunks(byte[] written, int payloadLength, int chunkSize, int basicHeaderSize)
    {
        int chunks = Math.Max(1, (payloadLength + chunkSize - 1) / chunkSize);
        int firstHeader = written.Length - payloadLength - (chunks - 1) * basicHeaderSize;
        int offset = 0;
        for (int i = 0; i < chunks; i++)
        {
            int header = i == 0 ? firstHeader : basicHeaderSize;
            int body = Math.Min(chunkSize, payloadLength - i * chunkSize);
            yield return written[offset..(offset + header + body)];
            offset += header + body;
        }

        Assert.Equal(written.Length, offset);
    }
}

using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Tests.Rtmp;

/// <summary>
/// Whatever bytes a peer sends, the reader either returns messages, asks for more, or throws
/// <see cref="RtmpProtocolException"/>: never another exception type, never a hang.
/// </summary>
public class ChunkReaderFuzzTests
{
    private static readonly RtmpLimits SmallLimits = RtmpLimits.Default with { MaxMessageSize = 4096, MaxChunkSize = 4096, MaxChunkStreams = 8 };

    /// <summary>Returns false if the reader threw <see cref="RtmpProtocolException"/>.</summary>
    private static bool Drain(ChunkReader reader, ReadOnlySequence<byte> input)
    {
        try
        {
            // Every successful read consumes at least one byte, so this ends.
            while (reader.TryReadMessage(ref input, out var message))
            {
                Assert.NotNull(message);
            }

            return true;
        }
        catch (RtmpProtocolException)
        {
            return false;
        }
    }

    private static byte[] ValidStream(Random random)
    {
        var writer = new ChunkWriter();
        var output = new ArrayBufferWriter<byte>();
        if (random.Next(2) == 0)
        {
            writer.SetChunkSize(output, random.Next(1, 300));
        }

        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++)
        {
            var payload = new byte[random.Next(0, 400)];
            random.NextBytes(payload);
            uint ts = random.Next(3) == 0 ? 0x01000000u + (uint)i : (uint)(i * 10);
            writer.Write(output, random.Next(2, 8), (byte)random.Next(3, 23), ts, (uint)random.Next(3), payload);
        }

        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void RandomBuffers_OnlyRaiseProtocolExceptionsOrNeedMore()
    {
        var random = new Random(1234);
        for (int i = 0; i < 3000; i++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            // Bias the first byte to fmt 0 so headers get parsed deeper than the first check.
            if (data.Length > 0 && random.Next(2) == 0)
            {
                data[0] &= 0x3F;
            }

            var limits = random.Next(2) == 0 ? SmallLimits : RtmpLimits.Default;
            Drain(new ChunkReader(limits), TestSequences.RandomSplit(data, random, maxPiece: 20));
        }
    }

    [Fact]
    public void MutatedAndTruncatedValidStreams_OnlyRaiseProtocolExceptionsOrNeedMore()
    {
        var random = new Random(5678);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            var data = ValidStream(random);
            int mutations = random.Next(0, 4);
            for (int m = 0; m < mutations && data.Length > 0; m++)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            if (random.Next(2) == 0)
            {
                data = data[..random.Next(0, data.Length + 1)];
            }

            var reader = new ChunkReader(random.Next(2) == 0 ? SmallLimits : RtmpLimits.Default);
            if (!Drain(reader, TestSequences.RandomSplit(data, random, maxPiece: 64)))
            {
                rejected++;
            }
        }

        // Sanity: the mutations do reach the error paths.
        Assert.InRange(rejected, 1, 2999);
    }

    [Fact]
    public void ValidStreams_FedInRandomPieces_NeverThrow()
    {
        var random = new Random(91011);
        for (int i = 0; i < 500; i++)
        {
            var data = ValidStream(random);
            var reader = new ChunkReader();
            int offset = 0;
            var pending = new List<byte>();
            while (offset < data.Length)
            {
                int take = Math.Min(random.Next(1, 50), data.Length - offset);
                pending.AddRange(data.AsSpan(offset, take).ToArray());
                offset += take;
                var input = TestSequences.RandomSplit(pending.ToArray(), random, maxPiece: 16);
                long before = input.Length;
                ReaderHarness.ReadAll(reader, ref input);
                pending.RemoveRange(0, (int)(before - input.Length));
            }

            Assert.Empty(pending);
        }
    }
}

using System.Buffers;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Protocol.Tests.Rtmp;

/// <summary>Drives a <see cref="ChunkReader"/> the way the connection does.</summary>
internal static class ReaderHarness
{
    /// <summary>Reads every complete message; <paramref name="input"/> is left at the first unconsumed byte.</summary>
    public static List<RtmpMessage> ReadAll(ChunkReader reader, ref ReadOnlySequence<byte> input)
    {
        var messages = new List<RtmpMessage>();
        while (reader.TryReadMessage(ref input, out var message))
        {
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>Reads all of <paramref name="data"/> and asserts nothing is left over.</summary>
    public static List<RtmpMessage> ReadAll(ChunkReader reader, byte[] data)
    {
        var input = new ReadOnlySequence<byte>(data);
        var messages = ReadAll(reader, ref input);
        Assert.Equal(0, input.Length);
        return messages;
    }

    /// <summary>
    /// Feeds <paramref name="data"/> one byte at a time, keeping unconsumed bytes as a sequence of
    /// one-byte segments, like a socket delivering the worst possible reads.
    /// </summary>
    public static List<RtmpMessage> ReadByteByByte(ChunkReader reader, byte[] data)
    {
        var messages = new List<RtmpMessage>();
        int consumed = 0;
        for (int end = 1; end <= data.Length; end++)
        {
            var input = TestSequences.OneBytePerSegment(data.AsMemory(consumed, end - consumed));
            long before = input.Length;
            messages.AddRange(ReadAll(reader, ref input));
            consumed += (int)(before - input.Length);
        }

        Assert.Equal(data.Length, consumed);
        return messages;
    }
}

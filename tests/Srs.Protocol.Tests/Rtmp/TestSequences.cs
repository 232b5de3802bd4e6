using System.Buffers;

namespace Srs.Protocol.Tests.Rtmp;

/// <summary>Multi-segment <see cref="ReadOnlySequence{T}"/>s, the shape a PipeReader hands out.</summary>
internal static class TestSequences
{
    public static ReadOnlySequence<byte> FromSegments(IReadOnlyList<ReadOnlyMemory<byte>> segments)
    {
        if (segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        for (int i = 1; i < segments.Count; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> into random pieces (some empty) of up to <paramref name="maxPiece"/> bytes.</summary>
    public static ReadOnlySequence<byte> RandomSplit(byte[] data, Random random, int maxPiece = 40)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int offset = 0;
        while (offset < data.Length)
        {
            int size = Math.Min(random.Next(0, maxPiece + 1), data.Length - offset);
            pieces.Add(data.AsMemory(offset, size));
            offset += size;
        }

        return FromSegments(pieces);
    }

    /// <summary>Every byte in its own segment.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlyMemory<byte> data)
    {
        var pieces = new List<ReadOnlyMemory<byte>>(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            pieces.Add(data.Slice(i, 1));
        }

        return FromSegments(pieces);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

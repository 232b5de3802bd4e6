using System.Buffers;

namespace Srs.Protocol.Tests;

/// <summary>Builds multi-segment ReadOnlySequences, as a Pipe hands them out.</summary>
internal static class SequenceSegments
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, IEnumerable<int> segmentLengths)
    {
        Segment? first = null, last = null;
        var offset = 0;
        foreach (var length in segmentLengths.Append(int.MaxValue))
        {
            var take = Math.Min(length, data.Length - offset);
            var chunk = data.Slice(offset, take);
            offset += take;
            if (first is null) first = last = new Segment(chunk, 0);
            else last = last!.Append(chunk);
            if (offset == data.Length) break;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
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

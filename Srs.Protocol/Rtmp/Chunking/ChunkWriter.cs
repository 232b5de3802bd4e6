using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// Splits messages into chunks of the current outgoing chunk size, choosing the smallest
/// header format (0..3) from what was last sent on the same chunk stream.
/// </summary>
/// <remarks>
/// fmt 0 for the first message on a chunk stream, a new message stream id, a timestamp going
/// backwards or a delta of 0xFFFFFF or more; fmt 1 when length or type change; fmt 2 when only
/// the delta changes; fmt 3 when everything including the delta repeats. So an extended
/// timestamp is only ever absolute (fmt 0 and its continuation chunks), and fmt 3 never starts
/// a message right after fmt 0: the cases where ffmpeg, SRS and the spec read timestamps differently.
/// Not thread-safe: one writer per connection. Allocates nothing per message.
/// </remarks>
public sealed class ChunkWriter
{
    /// <summary>3-byte basic header + 11-byte message header + 4-byte extended timestamp.</summary>
    private const int MaxHeaderSize = 18;
    private const uint ExtendedTimestampMarker = 0xFFFFFF;
    private const int MaxChunkStreamId = 65599;
    private const int MaxMessageLength = 0xFFFFFF;
    // This server sends on chunk streams 2..8 (ChunkStreams); larger ids go to the dictionary.
    private const int LowIdCount = 10;

    private readonly OutgoingChunkStreamState[] _lowStreams = new OutgoingChunkStreamState[LowIdCount];
    private Dictionary<int, OutgoingChunkStreamState>? _highStreams;

    public int ChunkSize { get; private set; } = ChunkHeader.DefaultChunkSize;

    /// <summary>Writes a Set Chunk Size message, then uses the new size for what follows.</summary>
    public void SetChunkSize(IBufferWriter<byte> output, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, chunkSize);
        // Sent with the old size: the peer applies the new one only after reading this message.
        Write(output, ChunkStreams.ProtocolControl, RtmpMessageType.SetChunkSize, 0, 0, payload);
        ChunkSize = chunkSize;
    }

    public void Write(IBufferWriter<byte> output, int chunkStreamId, RtmpMessage message)
        => Write(output, chunkStreamId, message.TypeId, message.Timestamp, message.StreamId, message.Payload.Span);

    public void Write(IBufferWriter<byte> output, int chunkStreamId, byte typeId, uint timestamp, uint streamId, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkStreamId, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkStreamId, MaxChunkStreamId);
        if (payload.Length > MaxMessageLength)
        {
            throw new ArgumentException($"An RTMP message holds at most {MaxMessageLength} bytes; got {payload.Length}.", nameof(payload));
        }

        int length = payload.Length;
        ref var last = ref GetState(chunkStreamId);

        int fmt;
        uint timestampField;
        uint delta = timestamp - last.Timestamp;
        // A delta too big for 24 bits also gets fmt 0: extended deltas on continuation chunks are
        // repeated as the delta by ffmpeg but compared with the absolute timestamp by SRS.
        if (!last.Used || last.StreamId != streamId || timestamp < last.Timestamp || delta >= ExtendedTimestampMarker)
        {
            fmt = 0;
            timestampField = timestamp;
        }
        else
        {
            timestampField = delta;
            if (last.Length != length || last.TypeId != typeId)
            {
                fmt = 1;
            }
            else if (!last.HasDelta || last.Delta != delta)
            {
                fmt = 2;
            }
            else
            {
                fmt = 3;
            }
        }

        bool extended = timestampField >= ExtendedTimestampMarker;

        var span = output.GetSpan(MaxHeaderSize);
        int n = WriteBasicHeader(span, fmt, chunkStreamId);
        if (fmt <= 2)
        {
            WriteUInt24(span[n..], extended ? ExtendedTimestampMarker : timestampField);
            n += 3;
        }

        if (fmt <= 1)
        {
            WriteUInt24(span[n..], (uint)length);
            span[n + 3] = typeId;
            n += 4;
        }

        if (fmt == 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[n..], streamId);
            n += 4;
        }

        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[n..], timestampField);
            n += 4;
        }

        output.Advance(n);

        int chunkSize = ChunkSize;
        while (true)
        {
            int take = Math.Min(chunkSize, payload.Length);
            CopyTo(output, payload[..take]);
            payload = payload[take..];
            if (payload.IsEmpty)
            {
                break;
            }

            // Continuation chunk: fmt 3, repeating the extended timestamp as Adobe, ffmpeg and SRS expect.
            span = output.GetSpan(MaxHeaderSize);
            n = WriteBasicHeader(span, 3, chunkStreamId);
            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[n..], timestampField);
                n += 4;
            }

            output.Advance(n);
        }

        last.Used = true;
        last.Timestamp = timestamp;
        last.StreamId = streamId;
        last.TypeId = typeId;
        last.Length = length;
        switch (fmt)
        {
            case 0:
                last.HasDelta = false;
                break;
            case 1:
            case 2:
                last.HasDelta = true;
                last.Delta = timestampField;
                break;
        }
    }

    private static void CopyTo(IBufferWriter<byte> output, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var destination = output.GetSpan();
            int n = Math.Min(destination.Length, source.Length);
            source[..n].CopyTo(destination);
            output.Advance(n);
            source = source[n..];
        }
    }

    private static int WriteBasicHeader(Span<byte> span, int fmt, int chunkStreamId) => ChunkHeader.WriteBasicHeader(span, fmt, chunkStreamId);

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    private ref OutgoingChunkStreamState GetState(int chunkStreamId)
    {
        if (chunkStreamId < LowIdCount)
        {
            return ref _lowStreams[chunkStreamId];
        }

        _highStreams ??= new Dictionary<int, OutgoingChunkStreamState>();
        return ref CollectionsMarshal.GetValueRefOrAddDefault(_highStreams, chunkStreamId, out _);
    }
}

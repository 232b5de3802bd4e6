using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// Reassembles RTMP messages from chunks (all four header formats, extended timestamps,
/// interleaved chunk streams). Applies Set Chunk Size and Abort itself and still returns them.
/// </summary>
/// <remarks>
/// Timestamp rules (RTMP 1.0 section 5.3.1.2, as ffmpeg does):
/// fmt 0 sets the absolute timestamp; fmt 1/2 add their delta; a fmt 3 chunk that starts a new
/// message adds the timestamp field of the last fmt 0/1/2 header of that chunk stream again,
/// which after a fmt 0 header is its absolute timestamp (so T then fmt 3 gives 2T).
/// When that header had an extended timestamp, every fmt 3 chunk carries the 4-byte extended
/// timestamp too; on continuation chunks a value matching neither the last extended value nor
/// the message timestamp is taken as payload, for senders that omit it (SRS does the same).
/// A message's exact-size payload is allocated when its first chunk has fully arrived; the sum of
/// the sizes of unfinished messages is capped by MaxPendingBytes, so a peer cannot make the node
/// allocate many large buffers with a few small chunks.
/// Not thread-safe: one reader per connection.
/// </remarks>
public sealed class ChunkReader(RtmpLimits? limits = null)
{
    private const uint ExtendedTimestampMarker = 0xFFFFFF;
    // Ids 2..9 cover what encoders and this server use (ffmpeg, OBS: 2-8); an array that small
    // costs a player next to nothing. Larger ids go to the dictionary.
    private const int LowIdCount = 10;

    private readonly RtmpLimits _limits = limits ?? RtmpLimits.Default;

    private readonly ChunkStreamState?[] _lowStreams = new ChunkStreamState?[LowIdCount];
    private Dictionary<int, ChunkStreamState>? _highStreams;
    private int _streamCount;
    private long _pendingBytes;

    /// <summary>The peer's current chunk size (128 until it sends Set Chunk Size).</summary>
    public int ChunkSize { get; private set; } = ChunkHeader.DefaultChunkSize;

    /// <summary>
    /// Consumes whole chunks from <paramref name="input"/> (advancing it) until a message is
    /// complete; returns false when more bytes are needed. Each returned message owns its payload.
    /// Throws <see cref="RtmpProtocolException"/> when a limit is broken.
    /// </summary>
    public bool TryReadMessage(ref ReadOnlySequence<byte> input, [NotNullWhen(true)] out RtmpMessage? message)
    {
        var reader = new SequenceReader<byte>(input);
        while (true)
        {
            var chunkStart = reader.Position;
            if (!TryReadChunk(ref reader, out message))
            {
                // Leave the partial chunk for the next call; whole chunks before it are consumed.
                input = input.Slice(chunkStart);
                return false;
            }

            if (message is not null)
            {
                input = input.Slice(reader.Position);
                return true;
            }
        }
    }

    /// <summary>
    /// Reads one whole chunk, or returns false (state untouched) if it is not all there.
    /// <paramref name="message"/> is set when the chunk completes a message.
    /// </summary>
    private bool TryReadChunk(ref SequenceReader<byte> reader, out RtmpMessage? message)
    {
        message = null;

        if (!TryReadBasicHeader(ref reader, out int fmt, out int csid))
        {
            return false;
        }

        var state = FindStream(csid);
        if (state is null)
        {
            // Fresh chunk stream: fmt 2/3 have nothing to inherit. fmt 1 is accepted (librtmp
            // sends its first ping that way, see SRS #98) with message stream id 0.
            if (fmt >= 2)
            {
                throw new RtmpProtocolException($"Chunk stream {csid} starts with a fmt {fmt} header; fmt 0 expected.");
            }

            if (_streamCount >= _limits.MaxChunkStreams)
            {
                throw new RtmpProtocolException($"Too many chunk streams (limit {_limits.MaxChunkStreams}).");
            }
        }

        bool startsMessage = state is null || !state.InMessage;
        if (fmt == 0 && !startsMessage)
        {
            throw new RtmpProtocolException($"Chunk stream {csid}: fmt 0 header in the middle of a message.");
        }

        // Message header fields, defaulting to what the chunk stream had.
        uint timestampField = 0;
        int length = state?.MessageLength ?? 0;
        byte typeId = state?.TypeId ?? 0;
        uint streamId = state?.StreamId ?? 0;

        if (fmt < 3)
        {
            Span<byte> header = stackalloc byte[11];
            int headerSize = fmt switch { 0 => 11, 1 => 7, _ => 3 };
            header = header[..headerSize];
            if (!reader.TryCopyTo(header))
            {
                return false;
            }

            reader.Advance(headerSize);
            timestampField = ReadUInt24(header);
            if (fmt <= 1)
            {
                length = (int)ReadUInt24(header[3..]);
                typeId = header[6];
            }

            if (fmt == 0)
            {
                streamId = BinaryPrimitives.ReadUInt32LittleEndian(header[7..]);
            }
        }

        bool extended = fmt < 3 ? timestampField == ExtendedTimestampMarker : state!.HasExtendedTimestamp;
        uint extendedValue = 0;
        if (extended)
        {
            if (!TryReadUInt32BigEndian(ref reader, out extendedValue))
            {
                return false;
            }

            if (fmt == 3 && !startsMessage
                && extendedValue != state!.ExtendedTimestamp && extendedValue != state.Timestamp)
            {
                // The sender did not repeat the extended timestamp on this continuation chunk:
                // those 4 bytes are payload.
                reader.Rewind(4);
                extended = false;
            }
        }

        if (length > _limits.MaxMessageSize)
        {
            throw new RtmpProtocolException($"Message of {length} bytes on chunk stream {csid} exceeds the limit of {_limits.MaxMessageSize}.");
        }

        if (!startsMessage)
        {
            if (length != state!.MessageLength)
            {
                throw new RtmpProtocolException($"Chunk stream {csid}: message length changed from {state.MessageLength} to {length} mid-message.");
            }

            if (typeId != state.TypeId)
            {
                throw new RtmpProtocolException($"Chunk stream {csid}: message type changed from {state.TypeId} to {typeId} mid-message.");
            }
        }

        int remaining = startsMessage ? length : length - state!.Received;
        int bodySize = Math.Min(remaining, ChunkSize);
        if (reader.Remaining < bodySize)
        {
            return false;
        }

        // The whole chunk is here: commit it.
        state ??= AddStream(csid);
        ApplyTimestamp(state, fmt, startsMessage, extended ? extendedValue : timestampField, extended);
        if (fmt == 0)
        {
            state.StreamId = streamId;
        }

        if (startsMessage)
        {
            if (_pendingBytes + length > _limits.MaxPendingBytes)
            {
                throw new RtmpProtocolException($"Unfinished messages would hold {_pendingBytes + length} bytes, over the limit of {_limits.MaxPendingBytes}.");
            }
            _pendingBytes += length;
            state.MessageLength = length;
            state.TypeId = typeId;
            // One exact-size buffer per message; every byte is overwritten by chunk bodies.
            state.Payload = length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length);
            state.Received = 0;
        }

        reader.TryCopyTo(state.Payload!.AsSpan(state.Received, bodySize));
        reader.Advance(bodySize);
        state.Received += bodySize;

        if (state.Received == state.MessageLength)
        {
            message = new RtmpMessage(csid, state.TypeId, state.Timestamp, state.StreamId, state.Payload);
            _pendingBytes -= state.MessageLength;
            state.AbortMessage();
            ApplyControl(message);
        }

        return true;
    }

    private static void ApplyTimestamp(ChunkStreamState state, int fmt, bool startsMessage, uint field, bool extended)
    {
        switch (fmt)
        {
            case 0:
                state.Timestamp = field;
                state.TimestampDelta = field;
                break;
            case 1:
            case 2:
                // Mid-message fmt 1/2 headers update the timestamp too, like SRS.
                state.Timestamp = unchecked(state.Timestamp + field);
                state.TimestampDelta = field;
                break;
            default:
                if (startsMessage)
                {
                    // With an extended timestamp the fmt 3 chunk carries the delta itself.
                    if (extended)
                    {
                        state.TimestampDelta = field;
                    }

                    state.Timestamp = unchecked(state.Timestamp + state.TimestampDelta);
                }

                // Continuation chunks never change the timestamp.
                return;
        }

        state.HasExtendedTimestamp = extended;
        if (extended)
        {
            state.ExtendedTimestamp = field;
        }
    }

    private void ApplyControl(RtmpMessage message)
    {
        switch (message.TypeId)
        {
            case RtmpMessageType.SetChunkSize:
            {
                uint size = ReadControlValue(message);
                if ((size & 0x80000000) != 0)
                {
                    throw new RtmpProtocolException($"Set Chunk Size 0x{size:X8} has the reserved top bit set.");
                }

                if (size == 0 || size > (uint)_limits.MaxChunkSize)
                {
                    throw new RtmpProtocolException($"Set Chunk Size {size} is outside 1..{_limits.MaxChunkSize}.");
                }

                ChunkSize = (int)size;
                break;
            }
            case RtmpMessageType.Abort:
            {
                uint csid = ReadControlValue(message);
                if (csid <= int.MaxValue && FindStream((int)csid) is { InMessage: true } aborted)
                {
                    _pendingBytes -= aborted.MessageLength;
                    aborted.AbortMessage();
                }

                break;
            }
        }
    }

    private static uint ReadControlValue(RtmpMessage message)
    {
        if (message.Length < 4)
        {
            throw new RtmpProtocolException($"Protocol control message type {message.TypeId} has {message.Length} bytes; 4 expected.");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(message.Payload.Span);
    }

    private static bool TryReadBasicHeader(ref SequenceReader<byte> reader, out int fmt, out int csid)
    {
        fmt = 0;
        csid = 0;
        if (!reader.TryRead(out byte first))
        {
            return false;
        }

        fmt = first >> 6;
        csid = first & 0x3F;
        if (csid == 0)
        {
            // 2-byte form: ids 64..319.
            if (!reader.TryRead(out byte b1))
            {
                return false;
            }

            csid = 64 + b1;
        }
        else if (csid == 1)
        {
            // 3-byte form: ids 64..65599, low byte first.
            if (!reader.TryRead(out byte b1) || !reader.TryRead(out byte b2))
            {
                return false;
            }

            csid = 64 + b1 + (b2 << 8);
        }

        return true;
    }

    private static bool TryReadUInt32BigEndian(ref SequenceReader<byte> reader, out uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (!reader.TryCopyTo(bytes))
        {
            value = 0;
            return false;
        }

        reader.Advance(4);
        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> bytes) => (uint)(bytes[0] << 16 | bytes[1] << 8 | bytes[2]);

    private ChunkStreamState? FindStream(int csid)
    {
        if (csid < LowIdCount)
        {
            return _lowStreams[csid];
        }

        return _highStreams is not null && _highStreams.TryGetValue(csid, out var state) ? state : null;
    }

    private ChunkStreamState AddStream(int csid)
    {
        var state = new ChunkStreamState(csid);
        if (csid < LowIdCount)
        {
            _lowStreams[csid] = state;
        }
        else
        {
            (_highStreams ??= new Dictionary<int, ChunkStreamState>())[csid] = state;
        }

        _streamCount++;
        return state;
    }
}

using System.Buffers.Binary;

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// Chunk headers on their own, for messages sent as full (fmt 0) headers with the payload
/// referenced rather than copied: a media message shared by many players is written as
/// [header, payload slice, continuation header, payload slice, ...] in one gathered send.
/// </summary>
/// <remarks>
/// fmt 0 on every message makes each message independent of what was sent before on its chunk
/// stream, so a player's headers never depend on shared state. It costs 4 bytes a message more
/// than the compressed forms <see cref="ChunkWriter"/> picks. Extended timestamps follow the
/// same rule as <see cref="ChunkWriter"/>: repeated on every continuation chunk.
/// </remarks>
public static class ChunkHeader
{
    /// <summary>The chunk size both sides use until a Set Chunk Size message changes it.</summary>
    public const int DefaultChunkSize = 128;

    /// <summary>3-byte basic header + 11-byte message header + 4-byte extended timestamp.</summary>
    public const int MaxFullSize = 18;

    /// <summary>3-byte basic header + 4-byte extended timestamp.</summary>
    public const int MaxContinuationSize = 7;

    private const uint ExtendedTimestampMarker = 0xFFFFFF;

    /// <summary>Writes a fmt 0 header for a message of <paramref name="length"/> bytes; returns its size.</summary>
    public static int WriteFull(Span<byte> span, int chunkStreamId, byte typeId, uint timestamp, uint streamId, int length)
    {
        var extended = timestamp >= ExtendedTimestampMarker;
        var n = WriteBasicHeader(span, 0, chunkStreamId);
        WriteUInt24(span[n..], extended ? ExtendedTimestampMarker : timestamp);
        WriteUInt24(span[(n + 3)..], (uint)length);
        span[n + 6] = typeId;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(n + 7)..], streamId);
        n += 11;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[n..], timestamp);
            n += 4;
        }
        return n;
    }

    /// <summary>Writes the fmt 3 header that starts every further chunk of a message; returns its size.</summary>
    public static int WriteContinuation(Span<byte> span, int chunkStreamId, uint timestamp)
    {
        var n = WriteBasicHeader(span, 3, chunkStreamId);
        if (timestamp >= ExtendedTimestampMarker)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[n..], timestamp);
            n += 4;
        }
        return n;
    }

    /// <summary>How many chunks a message of <paramref name="length"/> bytes takes (at least one).</summary>
    public static int ChunkCount(int length, int chunkSize) => length <= chunkSize ? 1 : (length + chunkSize - 1) / chunkSize;

    internal static int WriteBasicHeader(Span<byte> span, int fmt, int chunkStreamId)
    {
        int marker = fmt << 6;
        if (chunkStreamId < 64)
        {
            span[0] = (byte)(marker | chunkStreamId);
            return 1;
        }

        int id = chunkStreamId - 64;
        if (id < 256)
        {
            span[0] = (byte)marker;
            span[1] = (byte)id;
            return 2;
        }

        span[0] = (byte)(marker | 1);
        span[1] = (byte)id;
        span[2] = (byte)(id >> 8);
        return 3;
    }

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }
}

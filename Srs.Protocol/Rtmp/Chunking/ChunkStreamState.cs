namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// What <see cref="ChunkReader"/> remembers about one incoming chunk stream: the last message
/// header (so fmt 1/2/3 chunks can omit fields) and the message being reassembled, if any.
/// </summary>
internal sealed class ChunkStreamState(int chunkStreamId)
{
    public int ChunkStreamId { get; } = chunkStreamId;

    /// <summary>Absolute timestamp of the current (or last) message.</summary>
    public uint Timestamp { get; set; }

    /// <summary>
    /// What a fmt 3 chunk that starts a new message adds to <see cref="Timestamp"/>: the timestamp
    /// field of the last fmt 0/1/2 header. After fmt 0 that is the absolute timestamp (RTMP 1.0
    /// section 5.3.1.2.4; ffmpeg and SRS do the same).
    /// </summary>
    public uint TimestampDelta { get; set; }

    /// <summary>The last fmt 0/1/2 header used 0xFFFFFF, so fmt 3 chunks carry 4 more bytes.</summary>
    public bool HasExtendedTimestamp { get; set; }

    /// <summary>The last extended timestamp value read, to detect peers that omit it on continuation chunks.</summary>
    public uint ExtendedTimestamp { get; set; }

    public int MessageLength { get; set; }

    public byte TypeId { get; set; }

    public uint StreamId { get; set; }

    /// <summary>The payload of the message being reassembled; null between messages.</summary>
    public byte[]? Payload { get; set; }

    /// <summary>Bytes of <see cref="Payload"/> received so far.</summary>
    public int Received { get; set; }

    public bool InMessage => Payload is not null;

    /// <summary>Drops a partial message (Abort message).</summary>
    public void AbortMessage()
    {
        Payload = null;
        Received = 0;
    }
}

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// The last message header <see cref="ChunkWriter"/> sent on one chunk stream, from which it
/// picks the smallest header format for the next message. A struct kept in an array so that
/// writing allocates nothing.
/// </summary>
internal struct OutgoingChunkStreamState
{
    // The four-byte fields first, then the bytes: 20 bytes a stream instead of 24 (every connection holds ten).
    public uint Timestamp;
    public uint StreamId;
    public int Length;
    public uint Delta;
    public byte TypeId;
    public bool Used;

    /// <summary>
    /// The delta the peer will add for a fmt 3 header that starts a message; false after fmt 0,
    /// where readers disagree (spec/ffmpeg add the fmt 0 timestamp, SRS keeps it with extended
    /// timestamps), so we never send fmt 3 straight after fmt 0.
    /// </summary>
    public bool HasDelta;
}

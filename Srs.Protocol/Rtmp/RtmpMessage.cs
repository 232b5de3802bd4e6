namespace Srs.Protocol.Rtmp;

/// <summary>
/// One whole RTMP message as reassembled from its chunks. The payload is owned by the message
/// and never mutated afterwards, so one instance can be shared by every player of a stream.
/// </summary>
/// <param name="ChunkStreamId">The chunk stream it arrived on (informational).</param>
/// <param name="TypeId">See <see cref="RtmpMessageType"/>.</param>
/// <param name="Timestamp">Absolute timestamp in milliseconds (deltas already applied).</param>
/// <param name="StreamId">Message stream id (0 for protocol control and connection commands).</param>
/// <param name="Payload">The message body.</param>
public sealed record RtmpMessage(int ChunkStreamId, byte TypeId, uint Timestamp, uint StreamId, ReadOnlyMemory<byte> Payload)
{
    public int Length => Payload.Length;
}

using System.Buffers;

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// Splits messages into chunks of the current outgoing chunk size, choosing the smallest
/// header format (0..3) from what was last sent on the same chunk stream.
/// </summary>
public sealed class ChunkWriter
{
    public int ChunkSize { get; private set; } = 128;

    /// <summary>Writes a Set Chunk Size message, then uses the new size for what follows.</summary>
    public void SetChunkSize(IBufferWriter<byte> output, int chunkSize) => throw new NotImplementedException();

    public void Write(IBufferWriter<byte> output, int chunkStreamId, byte typeId, uint timestamp, uint streamId, ReadOnlySpan<byte> payload)
        => throw new NotImplementedException();
}

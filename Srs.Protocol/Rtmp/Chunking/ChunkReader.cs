using System.Buffers;

namespace Srs.Protocol.Rtmp.Chunking;

/// <summary>
/// Reassembles RTMP messages from chunks (all four header formats, extended timestamps,
/// interleaved chunk streams). Applies Set Chunk Size and Abort itself and still returns them.
/// </summary>
public sealed class ChunkReader(RtmpLimits? limits = null)
{
    /// <summary>The peer's current chunk size (128 until it sends Set Chunk Size).</summary>
    public int ChunkSize { get; private set; } = 128;

    /// <summary>
    /// Consumes whole chunks from <paramref name="input"/> (advancing it) until a message is
    /// complete; returns false when more bytes are needed. Each returned message owns its payload.
    /// Throws <see cref="RtmpProtocolException"/> when a limit is broken.
    /// </summary>
    public bool TryReadMessage(ref ReadOnlySequence<byte> input, out RtmpMessage? message)
        => throw new NotImplementedException();
}

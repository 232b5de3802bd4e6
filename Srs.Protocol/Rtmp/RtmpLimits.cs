namespace Srs.Protocol.Rtmp;

/// <summary>
/// Bounds that keep one bad peer from hurting the node. Exceeding any raises
/// <see cref="RtmpProtocolException"/> for that connection only.
/// </summary>
public sealed record RtmpLimits
{
    /// <summary>Largest chunk size a peer may set (the RTMP maximum is 2^31-1; SRS accepts up to 65536).</summary>
    public int MaxChunkSize { get; init; } = 65536;

    /// <summary>Largest message a peer may send. A 4K keyframe rarely passes 2 MB.</summary>
    public int MaxMessageSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Most bytes a peer's unfinished messages may hold at once (their buffers are allocated when
    /// their first chunk arrives): without it, a few small chunks could reserve gigabytes.
    /// </summary>
    public int MaxPendingBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Chunk streams a peer may have open at once (each one holds a partial message).</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>A peer silent mid-handshake is closed after this long.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A publisher that sends nothing for this long is closed, so a stalled encoder does not hold its stream (SRS's publish normal_timeout).</summary>
    public TimeSpan PublisherTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static RtmpLimits Default { get; } = new();
}

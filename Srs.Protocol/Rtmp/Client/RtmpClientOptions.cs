namespace Srs.Protocol.Rtmp.Client;

/// <summary>How an <see cref="RtmpClientConnection"/> talks to its server.</summary>
public sealed record RtmpClientOptions
{
    /// <summary>Chunk size this client sends with (announced by Set Chunk Size before connect).</summary>
    public int ChunkSize { get; init; } = 4096;

    /// <summary>Digest ("complex") handshake, as ffmpeg and Flash do; false for the simple one.</summary>
    public bool DigestHandshake { get; init; } = true;

    /// <summary>The flashVer property of connect.</summary>
    public string FlashVersion { get; init; } = "FMLE/3.0 (compatible; Srs.Protocol)";

    /// <summary>Limits applied to what the server sends.</summary>
    public RtmpLimits Limits { get; init; } = RtmpLimits.Default;

    /// <summary>
    /// Received media messages held for the reader of <see cref="RtmpClientConnection.Media"/>;
    /// when full, the connection stops reading the socket (TCP back-pressure, as a slow player).
    /// </summary>
    public int MediaBufferCapacity { get; init; } = 1024;

    /// <summary>
    /// Advertise Enhanced RTMP's reconnect capability (capsEx) in connect: the caller then acts on
    /// a <see cref="Messages.ReconnectRequest"/> it sees in <see cref="RtmpClientConnection.StatusReceived"/>.
    /// </summary>
    public bool HonoursReconnect { get; init; }

    public static RtmpClientOptions Default { get; } = new();
}

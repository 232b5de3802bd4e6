using Akka.Actor;

namespace Srs.Actors.Stats;

public enum ClientType { Unknown, RtmpPlay, RtmpPublish, FlvPlay }

/// <summary>
/// What the API shows of one client. Written by the client's own connection (single writer),
/// read by the HTTP API; counters are updated with Interlocked.
/// </summary>
public sealed class ClientStats(string id, string remoteAddress)
{
    private long _bytesIn;
    private long _bytesOut;

    /// <summary>The remote address of the other process of an upgrade in place pulling a stream (a Unix socket).</summary>
    public const string UpgradePeerAddress = "upgrade-peer";

    public string Id { get; } = id;
    public string RemoteAddress { get; } = remoteAddress;
    /// <summary>The remote address without its port, as SRS shows it (API "ip", hooks' "ip").</summary>
    public string Ip => HostOf(RemoteAddress);
    /// <summary>The actor that stands for this client; set by that actor when it starts.</summary>
    public IActorRef Connection { get; set; } = ActorRefs.Nobody;
    public DateTimeOffset Connected { get; } = DateTimeOffset.UtcNow;
    public volatile string? Vhost;
    public volatile string? App;
    public volatile string? Stream;
    public volatile string? TcUrl;
    public volatile string? PageUrl;
    public volatile string? SwfUrl;
    /// <summary>The query string of the publish/play name (e.g. "?token=..."), passed to hooks.</summary>
    public volatile string? Param;
    private volatile int _type;

    public ClientType Type { get => (ClientType)_type; set => _type = (int)value; }
    public bool IsPublisher => Type == ClientType.RtmpPublish;
    /// <summary>The same node's other process, not a user: left out of the API's clients and counts.</summary>
    public bool IsUpgradePeer => RemoteAddress == UpgradePeerAddress;
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut) + (_mediaBytesOut?.BytesSent ?? 0);

    public void AddBytesIn(long n) => Interlocked.Add(ref _bytesIn, n);
    public void AddBytesOut(long n) => Interlocked.Add(ref _bytesOut, n);

    /// <summary>
    /// A player's media pump counts what it sends itself (in a field it already holds), so a flush to
    /// thousands of players does not also write thousands of these objects; read when stats are read.
    /// </summary>
    public void CountMediaBytesOut(IByteCounter sent) => _mediaBytesOut = sent;

    private volatile IByteCounter? _mediaBytesOut;

    private static string HostOf(string endpoint)
    {
        var i = endpoint.LastIndexOf(':');
        return i > 0 ? endpoint[..i].Trim('[', ']') : endpoint;
    }
}

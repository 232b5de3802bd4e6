using System.Net.Sockets;
using Srs.Actors.Cluster;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Actors.Edge;

/// <summary>Opens the RTMP connection an edge makes to an origin, up to createStream.</summary>
public static class Upstream
{
    /// <summary>TCP connect, handshake, connect(app) and createStream must all end within this.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The stream name sent in play/publish. A vhost other than the default travels in the tcUrl
    /// (as SRS edges do), so the name is the bare stream.
    /// </summary>
    public static string StreamName(StreamKey key) => key.Stream;

    /// <summary>The connect tcUrl: the vhost as host when there is one, else the origin's address.</summary>
    public static string TcUrl(OriginEndpoint origin, StreamKey key)
    {
        if (origin.IsUpgradePeer) return new RtmpUrl(key.Vhost == StreamKey.DefaultVhost ? "localhost" : key.Vhost, RtmpUrl.DefaultPort, key.App, key.Stream).TcUrl;
        var host = key.Vhost == StreamKey.DefaultVhost ? origin.Host : key.Vhost;
        return new RtmpUrl(host, origin.Port, key.App, key.Stream).TcUrl;
    }

    /// <summary>
    /// A connected, handshaken client with its stream created; the caller then plays or publishes.
    /// Every byte it reads or writes counts in <paramref name="stats"/>' upstream totals (/metrics).
    /// </summary>
    /// <param name="honoursReconnect">Advertise Enhanced RTMP's reconnect request (a publish that follows it, <see cref="RtmpPublisher"/>).</param>
    public static async Task<RtmpClientConnection> OpenAsync(OriginEndpoint origin, StreamKey key, RtmpLimits limits, ServerStats stats, CancellationToken ct,
        bool honoursReconnect = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(OpenTimeout);
        var socket = origin.IsUpgradePeer
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RtmpClientConnection? client = null;
        try
        {
            if (origin.IsUpgradePeer)
                await socket.ConnectAsync(new UnixDomainSocketEndPoint("\0" + origin.Host), timeout.Token).ConfigureAwait(false);
            else
                await socket.ConnectAsync(origin.Host, origin.Port, timeout.Token).ConfigureAwait(false);
            client = new RtmpClientConnection(new UpstreamStream(new NetworkStream(socket, ownsSocket: true), stats), new RtmpClientOptions
            {
                Limits = limits,
                FlashVersion = "FMLE/3.0 (compatible; srs-cluster edge)",
                HonoursReconnect = honoursReconnect,
            });
            await client.HandshakeAsync(timeout.Token).ConfigureAwait(false);
            await client.ConnectAsync(key.App, TcUrl(origin, key), timeout.Token).ConfigureAwait(false);
            await client.CreateStreamAsync(timeout.Token).ConfigureAwait(false);
            return client;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw new TimeoutException($"no RTMP connection to {origin} within {OpenTimeout.TotalSeconds:F0}s");
        }
        catch
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Why an upstream attempt failed, in one line for the log.</summary>
    public static string Describe(Exception e) => e switch
    {
        SocketException s => $"connection failed: {s.SocketErrorCode}",
        RtmpStatusException s => $"refused: {s.Status.Code} {s.Status.Description}".TrimEnd(),
        AggregateException a when a.InnerException is not null => Describe(a.InnerException),
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

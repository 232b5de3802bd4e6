using System.Net.Sockets;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Rtmp;

/// <summary>
/// What publishing and playing both start with: a TCP connection to the URL's server, the RTMP
/// handshake, connect(app) and createStream, on the project's own client.
/// </summary>
public sealed class RtmpStreamClient : IAsyncDisposable
{
    private static readonly RtmpClientOptions Options = new() { ChunkSize = 60000 };
    private static readonly RtmpClientOptions MovingOptions = Options with { HonoursReconnect = true };

    private readonly TcpClient _tcp;

    private RtmpStreamClient(TcpClient tcp, RtmpClientConnection rtmp)
    {
        _tcp = tcp;
        Rtmp = rtmp;
    }

    public RtmpClientConnection Rtmp { get; }

    /// <summary>Throws what the connection or the client throws (SocketException, IOException, RtmpStatusException ...).</summary>
    /// <param name="honoursReconnect">Advertise the reconnect capability in connect (a publisher that follows the request).</param>
    public static async Task<RtmpStreamClient> OpenAsync(RtmpUrl url, CancellationToken ct, bool honoursReconnect = false)
    {
        var tcp = new TcpClient { NoDelay = true };
        RtmpStreamClient? client = null;
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, ct);
            client = new RtmpStreamClient(tcp, new RtmpClientConnection(tcp.GetStream(), honoursReconnect ? MovingOptions : Options));
            await client.Rtmp.HandshakeAsync(ct);
            await client.Rtmp.ConnectAsync(url.App, url.TcUrl, ct);
            await client.Rtmp.CreateStreamAsync(ct);
            return client;
        }
        catch
        {
            if (client is not null) await client.DisposeAsync();
            else tcp.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Rtmp.DisposeAsync();
        _tcp.Dispose();
    }
}

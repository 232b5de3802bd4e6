using System.Diagnostics;
using System.Net.Sockets;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Testing;

/// <summary>
/// A publisher on the project's own RTMP client that costs next to nothing, for tests that need
/// thousands of streams: it publishes, sends an H.264 sequence header and one keyframe (so a player
/// gets a picture from the GOP cache), then holds the connection until disposed. The node must
/// allow a silent publisher for the test's length (<c>srs.rtmp.publisher-timeout</c>).
/// </summary>
public sealed class HeldPublisher : IAsyncDisposable
{
    /// <summary>
    /// FLV video tag bodies: an AVC sequence header for 320x240 High profile level 3.0 (one SPS, one
    /// PPS, as x264 writes them) and a keyframe holding one IDR slice NAL unit.
    /// </summary>
    public static readonly byte[] SequenceHeader = Convert.FromHexString(
        "1700000000" + "0164001EFFE10009" + "6764001EACB40A0FC8" + "010004" + "68EE3C80" + "FDF8F800");
    public static readonly byte[] Keyframe = Convert.FromHexString("1701000000" + "00000005" + "6588840021");

    private readonly TcpClient _tcp;
    private readonly RtmpClientConnection _rtmp;

    /// <summary>When the server answered NetStream.Publish.Start.</summary>
    public long PublishedAt { get; }

    private HeldPublisher(TcpClient tcp, RtmpClientConnection rtmp, long publishedAt) => (_tcp, _rtmp, PublishedAt) = (tcp, rtmp, publishedAt);

    /// <summary>Publishes rtmp://127.0.0.1:<paramref name="port"/>/<paramref name="app"/>/<paramref name="stream"/>; throws when refused or not done within <paramref name="deadline"/>.</summary>
    public static async Task<HeldPublisher> StartAsync(int port, string app, string stream, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        return await PublishAsync(await OpenAsync(port, app, limit.Token), stream, limit.Token);
    }

    /// <summary>
    /// Publishes on <paramref name="accepter"/>, which shares its RTMP listening socket with
    /// <paramref name="other"/> (an upgrade in place): the connection is steered with
    /// <see cref="SharedSocketConnect"/>, then both run while the publish is answered.
    /// </summary>
    public static async Task<HeldPublisher> StartOnAsync(NodeProcess accepter, NodeProcess other, string app, string stream, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        var tcp = new TcpClient { Client = await SharedSocketConnect.ConnectAsync(accepter.RtmpPort, accepter, other, limit.Token) };
        return await PublishAsync(await OpenAsync(tcp, accepter.RtmpPort, app, limit.Token), stream, limit.Token);
    }

    private static async Task<HeldPublisher> PublishAsync((TcpClient Tcp, RtmpClientConnection Rtmp) opened, string stream, CancellationToken ct)
    {
        var (tcp, rtmp) = opened;
        try
        {
            await rtmp.PublishAsync(stream, ct);
            var publishedAt = Stopwatch.GetTimestamp();
            await rtmp.SendVideoAsync(0, SequenceHeader, ct);
            await rtmp.SendVideoAsync(0, Keyframe, ct);
            return new HeldPublisher(tcp, rtmp, publishedAt);
        }
        catch
        {
            await rtmp.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Plays the stream from <paramref name="port"/> and returns once its first video keyframe arrives; throws after <paramref name="deadline"/>.</summary>
    public static async Task PlayFirstKeyframeAsync(int port, string app, string stream, TimeSpan deadline)
    {
        using var limit = new CancellationTokenSource(deadline);
        var (tcp, rtmp) = await OpenAsync(port, app, limit.Token);
        try
        {
            await rtmp.PlayAsync(stream, limit.Token);
            await foreach (var message in rtmp.ReadMediaAsync(limit.Token))
                if (message.TypeId == 9 && message.Payload.Length > 1 && message.Payload.Span[0] == 0x17 && message.Payload.Span[1] == 0x01) return;
            throw new IOException("the stream ended before a keyframe");
        }
        finally
        {
            await rtmp.DisposeAsync();
            tcp.Dispose();
        }
    }

    /// <summary>
    /// TCP to 127.0.0.1, handshake, connect(app) and createStream, for every client of these tests;
    /// on failure nothing is left open. The connection's stream owns the socket.
    /// </summary>
    internal static async Task<(TcpClient, RtmpClientConnection)> OpenAsync(int port, string app, CancellationToken ct, RtmpClientOptions? options = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        return await OpenAsync(tcp, port, app, ct, options);
    }

    /// <summary>Handshake, connect and createStream on a connected <paramref name="tcp"/>; disposes it on failure.</summary>
    private static async Task<(TcpClient, RtmpClientConnection)> OpenAsync(TcpClient tcp, int port, string app, CancellationToken ct, RtmpClientOptions? options = null)
    {
        RtmpClientConnection? rtmp = null;
        try
        {
            rtmp = new RtmpClientConnection(tcp.GetStream(), options);
            await rtmp.HandshakeAsync(ct);
            await rtmp.ConnectAsync(app, $"rtmp://127.0.0.1:{port}/{app}", ct);
            await rtmp.CreateStreamAsync(ct);
            return (tcp, rtmp);
        }
        catch
        {
            if (rtmp is not null) await rtmp.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _rtmp.DisposeAsync();
        _tcp.Dispose();
    }
}

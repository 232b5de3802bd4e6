using System.Collections.Concurrent;
using System.Net.Sockets;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Edge.Tests;

/// <summary>An RTMP player (the project's own client) that records every media message it receives, with when.</summary>
public sealed class RecordingPlayer : IAsyncDisposable
{
    public sealed record Received(DateTime At, byte Type, uint Timestamp, bool IsSequenceHeader);

    private readonly RtmpClientConnection _client;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _reading;

    public ConcurrentQueue<Received> Messages { get; } = new();

    private RtmpClientConnection Client => _client;

    private RecordingPlayer(RtmpClientConnection client)
    {
        _client = client;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<RecordingPlayer> PlayAsync(int port, string app, string stream)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RtmpClientConnection(tcp.GetStream());
        await client.HandshakeAsync();
        await client.ConnectAsync(app, $"rtmp://127.0.0.1:{port}/{app}");
        await client.CreateStreamAsync();
        await client.PlayAsync(stream);
        return new RecordingPlayer(client);
    }

    /// <summary>Ends when the server closes the connection.</summary>
    public Task Completion => _reading;

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var m in Client.ReadMediaAsync(_cts.Token))
            {
                var p = m.Payload.Span;
                var header = m.TypeId switch
                {
                    RtmpMessageType.Video => p.Length > 1 && (p[0] & 0x0F) == 7 && p[1] == 0,
                    RtmpMessageType.Audio => p.Length > 1 && (p[0] >> 4) == 10 && p[1] == 0,
                    _ => false,
                };
                Messages.Enqueue(new Received(DateTime.UtcNow, m.TypeId, m.Timestamp, header));
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        await _client.DisposeAsync();
        try { await _reading; } catch (Exception) { }
    }
}

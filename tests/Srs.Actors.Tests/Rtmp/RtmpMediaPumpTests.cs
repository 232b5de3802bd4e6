using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Srs.Actors.Media;
using Srs.Actors.Rtmp;
using Srs.Actors.Stats;
using Srs.Protocol.Rtmp;
using Srs.Protocol.Rtmp.Chunking;

namespace Srs.Actors.Tests.Rtmp;

/// <summary>An RTMP player's pump on a real loopback connection: chunked media as a player reads it, and pause.</summary>
public sealed class RtmpMediaPumpTests : IDisposable
{
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly NetworkStream _stream;

    public RtmpMediaPumpTests()
    {
        (_server, _client) = LoopbackConnection.Open();
        _stream = new NetworkStream(_server, ownsSocket: false);
    }

    private (PlayerQueue, RtmpMediaPump, ClientStats) Start()
    {
        var stats = new ClientStats("player", "127.0.0.1");
        var output = new RtmpOutput(PipeWriter.Create(_stream), stats, new ServerStats());
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        var pump = new RtmpMediaPump(queue, output, _server, stats, new ServerStats());
        pump.Start();
        return (queue, pump, stats);
    }

    private async Task<List<RtmpMessage>> ReadMessagesAsync(long bytes)
    {
        var buffer = await LoopbackConnection.ReceiveExactlyAsync(_client, bytes);
        var reader = new ChunkReader(RtmpLimits.Default);
        var sequence = new ReadOnlySequence<byte>(buffer);
        var messages = new List<RtmpMessage>();
        while (reader.TryReadMessage(ref sequence, out var m)) messages.Add(m);
        Assert.True(sequence.IsEmpty, $"{sequence.Length} bytes left over: not whole chunks");
        return messages;
    }

    [Fact]
    public async Task Media_IsSentAsFullChunkedMessages_OnTheMediaStream()
    {
        var (queue, _, stats) = Start();
        var window = new[] { Packets.VideoHeader(), Packets.AudioHeader(), Packets.Keyframe(40), Packets.Audio(46) };
        queue.Deliver(window);

        var messages = await ReadMessagesAsync(stats.BytesOut);
        Assert.Equal(window.Select(p => ((byte)p.Kind, p.Payload.ToArray())), messages.Select(m => (m.TypeId, m.Payload.ToArray())));
        Assert.All(messages, m => Assert.Equal(RtmpOutput.MediaStreamId, m.StreamId));
    }

    [Fact]
    public async Task APausedPlayer_IsSentNothing_UntilItUnpauses()
    {
        var (queue, pump, stats) = Start();
        pump.Paused = true;
        queue.Deliver(new[] { Packets.Keyframe(0), Packets.Audio(10) });
        Assert.Equal(0, stats.BytesOut); // a caught-up player is written on this thread: nothing was

        pump.Paused = false;
        var after = new[] { Packets.Frame(40), Packets.Audio(50) };
        queue.Deliver(after);
        var messages = await ReadMessagesAsync(stats.BytesOut);
        Assert.Equal(after.Select(p => p.Payload.ToArray()), messages.Select(m => m.Payload.ToArray()));
    }

    public void Dispose()
    {
        _stream.Dispose();
        _server.Dispose();
        _client.Dispose();
    }
}

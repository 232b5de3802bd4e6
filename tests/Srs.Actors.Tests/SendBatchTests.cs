using System.Buffers.Binary;
using System.Net.Sockets;
using Srs.Actors.Media;
using Srs.Actors.Stats;
using Xunit.Abstractions;

namespace Srs.Actors.Tests;

/// <summary>
/// Batched sends (io_uring) on real loopback TCP connections: what each player receives, a full
/// socket, a peer that has gone. Where the kernel refuses io_uring, each test checks the refusal is
/// reported and the plain path (one send per player) delivers the same bytes.
/// </summary>
public sealed class SendBatchTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Frames each packet as a 4-byte length and its payload: framing in the scratch, payloads shared.</summary>
    private sealed class LengthPrefixPump(PlayerQueue queue, Socket socket, ClientStats client)
        : SocketMediaPump(queue, gate: null, socket, client, new ServerStats())
    {
        protected override int ScratchNeeded(ReadOnlySpan<MediaPacket> batch)
        {
            var need = 0;
            foreach (var p in batch) need += 4 + (p.Payload.Length < CopyBelow ? p.Payload.Length : 0);
            return need;
        }

        protected override void Layout(ReadOnlySpan<MediaPacket> batch)
        {
            foreach (var p in batch)
            {
                BinaryPrimitives.WriteInt32BigEndian(Scratch, p.Payload.Length);
                Advance(4);
                Payload(p.Payload);
            }
        }
    }

    private sealed record Player(Socket Server, Socket Client, PlayerQueue Queue, LengthPrefixPump Pump, ClientStats Stats);

    private readonly List<Socket> _sockets = new();

    private Player Connect()
    {
        var (server, client) = LoopbackConnection.Open();
        _sockets.Add(client);
        _sockets.Add(server);
        var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
        var stats = new ClientStats("c", "127.0.0.1");
        var pump = new LengthPrefixPump(queue, server, stats);
        pump.Start();
        return new Player(server, client, queue, pump, stats);
    }

    private static MediaPacket[] Window(int videoBytes)
    {
        var video = new byte[videoBytes];
        new Random(videoBytes).NextBytes(video);
        video[0] = 0x27;
        return [Packets.Audio(0), new MediaPacket(MediaKind.Video, 0, video, 1), Packets.Audio(23)];
    }

    private static byte[] Expected(IEnumerable<MediaPacket> packets)
    {
        var bytes = new List<byte>();
        foreach (var p in packets)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, p.Payload.Length);
            bytes.AddRange(length);
            bytes.AddRange(p.Payload.ToArray());
        }
        return bytes.ToArray();
    }

    /// <summary>Delivers the window to every player as a source does (one by one where io_uring is refused).</summary>
    private void Fanout(MediaPacket[] window, IEnumerable<Player> players)
    {
        using var sends = SendBatch.Rent(window);
        if (sends is null)
        {
            Assert.NotNull(SendBatch.Refused);
            output.WriteLine("io_uring refused here, plain sends checked instead: " + SendBatch.Refused);
        }
        foreach (var p in players) p.Queue.Deliver(window, sends);
    }

    [Fact]
    public async Task EveryPlayer_ReceivesItsOwnFramingAndTheSharedPayloads()
    {
        var players = Enumerable.Range(0, 5).Select(_ => Connect()).ToList();
        var first = Window(5000);
        var second = Window(7000);
        Fanout(first, players);
        Fanout(second, players);

        var expected = Expected(first.Concat(second));
        foreach (var p in players)
        {
            Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(p.Client, expected.Length));
            Assert.Equal(expected.Length, p.Stats.BytesOut);
        }
    }

    [Fact]
    public async Task MorePlayersThanOneSubmit_AreAllServed()
    {
        // The ring takes 256 sends per system call; the batch submits a full ring and goes on.
        var players = Enumerable.Range(0, 300).Select(_ => Connect()).ToList();
        var window = Window(3000);
        Fanout(window, players);

        var expected = Expected(window);
        foreach (var p in players) Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(p.Client, expected.Length));
    }

    [Fact]
    public async Task AFullSocket_TakesWhatFits_AndGetsTheRestAsynchronously_InOrder()
    {
        var slow = Connect();
        var fast = Connect();
        // A small send buffer; the reader's is left alone (shrinking a receive window after the
        // handshake stalls TCP in zero-window probes). Nobody reads until everything is handed over.
        slow.Server.SendBufferSize = 4096;
        var big = Window(600_000); // far more than the slow player's buffers hold
        var next = Window(2000);
        Fanout(big, [slow, fast]);
        Fanout(next, [slow, fast]); // the slow player is still writing: queued, sent after

        var expected = Expected(big.Concat(next));
        Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(fast.Client, expected.Length));
        Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(slow.Client, expected.Length));
        Assert.False(slow.Pump.Completion.IsCompleted);
    }

    [Fact]
    public async Task APeerThatHasGone_StopsOnlyItsPump_WithTheReason()
    {
        var gone = Connect();
        var staying = Connect();
        gone.Client.LingerState = new LingerOption(true, 0); // closes with a reset
        gone.Client.Close();
        var window = Window(5000);

        // The first send after the reset may still be taken by the kernel; the next one fails.
        for (var i = 0; i < 3 && !gone.Pump.Completion.IsCompleted; i++)
        {
            Fanout(window, [gone, staying]);
            await Task.Yield();
        }

        var reason = await gone.Pump.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("player connection lost", reason);
        Assert.False(staying.Pump.Completion.IsCompleted);
        var received = await LoopbackConnection.ReceiveExactlyAsync(staying.Client, Expected(window).Length);
        Assert.Equal(Expected(window), received);
    }

    [Fact]
    public async Task APayloadFromOutsideTheWindow_IsPinnedOnTheWay()
    {
        var player = Connect();
        var pinned = Window(5000);
        var other = Window(6000); // not the window the batch was rented for: its arrays are not pinned yet
        using (var sends = SendBatch.Rent(pinned))
        {
            player.Queue.Deliver(other, sends);
        }

        var expected = Expected(other);
        Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(player.Client, expected.Length));
    }

    [Fact]
    public async Task ASendOfMorePiecesThanSendmsgTakes_GoesOutByItself()
    {
        // 600 packets: a length and a payload each, 1,200 pieces; a sendmsg takes 1,024.
        var window = Enumerable.Range(0, 600).Select(i => new MediaPacket(MediaKind.Audio, (uint)i, new byte[] { (byte)i, (byte)(i >> 8), 7 }, 1)).ToArray();
        var players = Enumerable.Range(0, 3).Select(_ => Connect()).ToList();
        Fanout(window, players);

        var expected = Expected(window);
        foreach (var p in players) Assert.Equal(expected, await LoopbackConnection.ReceiveExactlyAsync(p.Client, expected.Length));
    }

    /// <summary>Framing different for each player (a tag and the packet's timestamp), then the payload.</summary>
    private sealed class TaggedPump(PlayerQueue queue, Socket socket, byte tag)
        : SocketMediaPump(queue, gate: null, socket, new ClientStats("c", "127.0.0.1"), new ServerStats())
    {
        protected override int ScratchNeeded(ReadOnlySpan<MediaPacket> batch)
        {
            var need = 0;
            foreach (var p in batch) need += 5 + (p.Payload.Length < CopyBelow ? p.Payload.Length : 0);
            return need;
        }

        protected override void Layout(ReadOnlySpan<MediaPacket> batch)
        {
            foreach (var p in batch)
            {
                Scratch[0] = tag;
                BinaryPrimitives.WriteUInt32BigEndian(Scratch[1..], p.Timestamp);
                Advance(5);
                Payload(p.Payload);
            }
        }

        public static byte[] Expected(byte tag, MediaPacket[] window) =>
            window.SelectMany(p => new[] { tag, (byte)(p.Timestamp >> 24), (byte)(p.Timestamp >> 16), (byte)(p.Timestamp >> 8), (byte)p.Timestamp }.Concat(p.Payload.ToArray())).ToArray();
    }

    private List<(PlayerQueue Queue, Socket Client, byte Tag)> TaggedPlayers(int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var (server, client) = LoopbackConnection.Open();
            _sockets.Add(client);
            _sockets.Add(server);
            var queue = new PlayerQueue(TimeSpan.FromSeconds(10));
            new TaggedPump(queue, server, (byte)(i + 1)).Start();
            return (queue, client, (byte)(i + 1));
        }).ToList();

    private static async Task FanoutAndCheck(MediaPacket[] window, List<(PlayerQueue Queue, Socket Client, byte Tag)> players)
    {
        using (var sends = SendBatch.Rent(window))
        {
            foreach (var p in players) p.Queue.Deliver(window, sends);
        }
        // Read concurrently: what is sent can be more than the kernel buffers before anyone reads.
        var expected = players.Select(p => TaggedPump.Expected(p.Tag, window)).ToList();
        var received = await Task.WhenAll(players.Select((p, i) => LoopbackConnection.ReceiveExactlyAsync(p.Client, expected[i].Length)));
        for (var i = 0; i < players.Count; i++) Assert.Equal(expected[i], received[i]);
    }

    [Fact]
    public async Task ARoundOfMorePiecesThanTheRingHolds_KeepsTheSendBeingLaidOut()
    {
        // 1,000 pieces per player: the ring's 4,096 iovecs are full at the fifth, which is laid out
        // before the others are submitted and must still go out whole, its own, after them.
        var window = Enumerable.Range(0, 500).Select(i => new MediaPacket(MediaKind.Audio, (uint)i, new byte[] { (byte)i, (byte)(i >> 8), 9 }, 1)).ToArray();
        await FanoutAndCheck(window, TaggedPlayers(7));
    }

    [Theory]
    [InlineData(20_000)] // 100 KB of framing each: the arena (256 KB) is full at the third player, submitted early
    [InlineData(60_000)] // 300 KB each: more than the arena holds, each player sends it itself
    public async Task FramingBeyondTheArena_EveryPlayerGetsItsOwn(int packets)
    {
        var window = Enumerable.Range(0, packets).Select(i => new MediaPacket(MediaKind.Audio, (uint)(i * 7919), ReadOnlyMemory<byte>.Empty, 1)).ToArray();
        await FanoutAndCheck(window, TaggedPlayers(5));
    }

    [Fact]
    public async Task ASocketClosedByTheServer_StopsOnlyItsPump()
    {
        var closed = Connect();
        var open = Connect();
        closed.Server.Dispose(); // the connection actor closed it while the source fans out
        var window = Window(5000);
        Fanout(window, [closed, open]);

        var reason = await closed.Pump.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("player connection lost", reason);
        Assert.Equal(Expected(window), await LoopbackConnection.ReceiveExactlyAsync(open.Client, Expected(window).Length));
        Assert.False(open.Pump.Completion.IsCompleted);
    }

    public void Dispose()
    {
        foreach (var s in _sockets) s.Dispose();
    }
}

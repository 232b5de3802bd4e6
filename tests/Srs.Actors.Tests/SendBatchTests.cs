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
    public void APieceThatIsNotPinned_IsRefused_SoThePumpSendsItItself()
    {
        var player = Connect();
        var window = Window(5000);
        using var sends = SendBatch.Rent(window);
        if (sends is null)
        {
            Assert.NotNull(SendBatch.Refused);
            return; // nothing to refuse without io_uring
        }
        var unpinned = new List<ArraySegment<byte>> { new byte[100] };
        var copy = new List<ArraySegment<byte>> { window[1].Payload.ToArray() }; // the same bytes, not the window's array
        Assert.False(sends.TryAdd(player.Pump, player.Server.SafeHandle, unpinned, pinnedScratch: null));
        Assert.False(sends.TryAdd(player.Pump, player.Server.SafeHandle, copy, pinnedScratch: null));
    }

    public void Dispose()
    {
        foreach (var s in _sockets) s.Dispose();
    }
}

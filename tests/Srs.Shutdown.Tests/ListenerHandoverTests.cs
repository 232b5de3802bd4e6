using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Srs.Node.Http;
using Srs.Node.Upgrade;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// The listener handover (srs.upgrade-socket) at the level of sockets: what a new process
/// receives, and that the old one letting go of a shared listener loses nothing queued on it.
/// </summary>
public sealed class ListenerHandoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_running_node_hands_over_listening_sockets_on_its_three_ports()
    {
        await using var node = await NodeProcess.StartAsync("", output);
        Assert.Contains("bound fresh listening sockets", node.Output);

        var received = ListenerHandover.Request(node.UpgradeSocket);
        try
        {
            Assert.Null(received.WhyNone);
            Assert.Equal(node.Pid, received.FromPid);
            Assert.Equal(3, received.Received);
            foreach (var (name, port) in new[] { ("rtmp", node.RtmpPort), ("http-api", node.ApiPort), ("http-server", node.HttpPort) })
            {
                var socket = received.TakeFor(name, new IPEndPoint(IPAddress.Loopback, port));
                Assert.NotNull(socket);
                Assert.True(ListenerSet.IsListeningTcp(socket), $"{name}: a listening TCP socket");
                Assert.Equal(port, ((IPEndPoint)socket.LocalEndPoint!).Port);
                socket.Dispose(); // our copy only: the node keeps listening
            }
        }
        finally
        {
            received.Abandon(); // no confirmation: the node keeps serving the upgrade socket
        }

        Assert.False(await NodeProcess.RefusesAsync(node.RtmpPort), "the node still listens after our copies closed");
        Assert.Null(await HandshakeProbe.TryAsync(node.RtmpPort, TimeSpan.FromSeconds(3)));
        var again = ListenerHandover.Request(node.UpgradeSocket);
        Assert.Equal(3, again.Received);
        again.Abandon();
    }

    [Fact]
    public void Nothing_is_received_without_a_running_node_or_with_upgrade_socket_off()
    {
        var path = Path.Combine(Path.GetTempPath(), $"srs-upgrade-test-{Guid.NewGuid():N}.sock");
        Assert.Contains("no running node", ListenerHandover.Request(path).WhyNone);
        File.WriteAllText(path, ""); // a stale file: nothing listens behind it
        try { Assert.NotNull(ListenerHandover.Request(path).WhyNone); }
        finally { File.Delete(path); }
        Assert.Contains("off", ListenerHandover.Request(null).WhyNone);
    }

    /// <summary>
    /// The heart of the zero-loss handover, in one process: a connection waits in the accept queue
    /// of a listener held twice (the "old" Socket and the received one); the old one is released
    /// and disposed; the connection is still there for the new one.
    /// </summary>
    [Fact]
    public async Task A_connection_queued_when_the_old_listener_closes_is_accepted_by_the_new_one()
    {
        var (old, set, taken) = HandOver();
        using var _ = taken;
        var endPoint = (IPEndPoint)taken.LocalEndPoint!;

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endPoint); // queued: nobody is accepting
        set.Release(old);
        old.Dispose();

        using var accepted = await taken.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(3));
        await client.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        Assert.Equal(4, await accepted.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.False(await NodeProcess.RefusesAsync(endPoint.Port), "still listening through the received socket");
    }

    /// <summary>
    /// Disposing a listening Socket with an accept pending (what Kestrel's unbind does) makes .NET
    /// abort the accept, then set SO_LINGER 0 before close() (and it may call connect(AF_UNSPEC),
    /// which resets the queue). Released first, none of it reaches the shared socket.
    /// </summary>
    [Fact]
    public async Task Releasing_a_listener_with_an_accept_pending_leaves_the_shared_socket_untouched()
    {
        var (old, set, taken) = HandOver();
        using var _ = taken;
        var endPoint = (IPEndPoint)taken.LocalEndPoint!;
        var pending = old.AcceptAsync();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        set.Release(old);
        old.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(async () => await pending);

        Assert.False(taken.LingerState!.Enabled, "SO_LINGER must stay off: accepted connections inherit it (RST instead of FIN)");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endPoint);
        using var accepted = await taken.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(3));
        Assert.False(accepted.LingerState!.Enabled);

        // For contrast, the same without the release: what the handover must keep away.
        var (plain, _, plainTaken) = HandOver();
        using var __ = plainTaken;
        var plainPending = plain.AcceptAsync();
        await Task.Delay(50);
        plain.Dispose();
        try { await plainPending; } catch (Exception) { }
        output.WriteLine($"without the release, the shared listener's SO_LINGER after the old Socket's Dispose: " +
                         $"enabled={plainTaken.LingerState!.Enabled}, seconds={plainTaken.LingerState.LingerTime}");
    }

    [Fact]
    public async Task The_upgrade_link_names_both_processes_sockets_says_when_the_old_one_drains_and_hands_its_final_counters_over_as_it_exits()
    {
        using var old = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        old.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        old.Listen(16);
        var set = new ListenerSet();
        set.Add("rtmp", old);
        var path = Path.Combine(Path.GetTempPath(), $"srs-upgrade-test-{Guid.NewGuid():N}.sock");
        var server = new HandoverServer(path, set, NullLogger.Instance);
        var successorMedia = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.SuccessorMedia += name => successorMedia.TrySetResult(name);
        // Each process's own figures: the old one has sent 100 bytes, the new one 10.
        var oldSide = new UpgradeNeighbours(() => ViewWithBytesOut(100), NullLogger.Instance);
        var newSide = new UpgradeNeighbours(() => ViewWithBytesOut(10), NullLogger.Instance);
        try
        {
            server.Start(mediaSocket: "srs-media-test", statsSocket: "srs-stats-test", oldSide);
            var received = ListenerHandover.Request(path);
            Assert.Equal("srs-media-test", received.MediaSocket);
            Assert.Equal("srs-stats-test", received.StatsSocket);
            using var taken = received.TakeFor("rtmp", old.LocalEndPoint!);
            received.Confirm();
            var link = received.TakeLink();
            Assert.NotNull(link);

            var previous = new Srs.Actors.Upgrade.PreviousProcess(Environment.ProcessId, "srs-media-test");
            using var follow = PreviousProcessLink.Follow(link, received, previous, "srs-media-next", "srs-stats-next", newSide, NullLogger.Instance);
            Assert.Equal("srs-media-next", await successorMedia.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.False(previous.Draining);
            // The old process sees the confirmation on its own task: its service-unbind may come first.
            await server.UnbindAsync();
            await Poll.AssertAsync(() => previous.Draining, TimeSpan.FromSeconds(5), () => "DRAINING reached the new process");
            Assert.False(previous.Gone);
            Assert.True(server.HasSuccessor); // so the old process asks its publishers to move
            set.ReleaseAll();
            server.Dispose();
            await Poll.AssertAsync(() => previous.Gone, TimeSpan.FromSeconds(5), () => "the link's end reached the new process");
            // The old process told its counters as it exited: the new one carries them from now on.
            Assert.Equal(110, newSide.Local().Counters.BytesOut);
        }
        finally
        {
            server.Dispose();
            File.Delete(path);
        }
    }

    private static NodeView ViewWithBytesOut(long bytes) => new(ServiceCounters.Zero with { BytesOut = bytes }, [], [], []);

    /// <summary>A listener, served by a HandoverServer and received back: (old Socket, its set, the received Socket).</summary>
    private static (Socket Old, ListenerSet Set, Socket Taken) HandOver()
    {
        var old = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        old.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        old.Listen(16);
        var set = new ListenerSet();
        set.Add("rtmp", old);
        var path = Path.Combine(Path.GetTempPath(), $"srs-upgrade-test-{Guid.NewGuid():N}.sock");
        try
        {
            using var server = new HandoverServer(path, set, NullLogger.Instance);
            server.Start(mediaSocket: null, statsSocket: null, neighbours: null);
            var received = ListenerHandover.Request(path);
            var taken = received.TakeFor("rtmp", old.LocalEndPoint!);
            Assert.NotNull(taken);
            Assert.Empty(received.Confirm());
            Assert.True(ListenerSet.IsListeningTcp(taken));
            return (old, set, taken);
        }
        // Handed over, the server leaves the path to a successor; there is none here.
        finally { File.Delete(path); }
    }
}

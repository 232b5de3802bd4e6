using System.Diagnostics;
using Srs.Node.Upgrade;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// Upgrade in place on bare metal (PRODUCT.md section 5): process B starts on A's configuration
/// and takes over A's listening sockets (srs.upgrade-socket), SIGQUIT to A, while a client opens a
/// new RTMP connection every 10 ms. Not one attempt may fail.
/// </summary>
public sealed class UpgradeInPlaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task New_process_takes_over_the_listening_sockets_and_no_connection_fails_while_the_old_one_drains()
    {
        const string conf = "reuseport = on\n grace-start-wait = 500ms\n grace-final-wait = 700ms";
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        var rtmpUrl = $"rtmp://127.0.0.1:{a.RtmpPort}/live/upgrade";
        // Long enough to outlast a slow start of B; ended by the test once the drain is shown.
        await using var publisher = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => a.IsPublishedAsync("upgrade"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);
        // The player connects before B exists, so it is A's (B's API cannot see A's streams).
        await using var player = FfmpegProcess.Play(rtmpUrl);
        await Poll.AssertAsync(() => player.Frames > 10, TimeSpan.FromSeconds(20), () => "player receiving\n" + player.Errors);

        var attempts = 0;
        var failures = new List<string>();
        using var stopLoad = new CancellationTokenSource();
        var tick = Stopwatch.StartNew();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                Interlocked.Increment(ref attempts);
                if (await HandshakeProbe.TryAsync(a.RtmpPort, TimeSpan.FromSeconds(3)) is { } error)
                    lock (failures) failures.Add($"{tick.ElapsedMilliseconds} ms: {error}");
                await Task.Delay(10);
            }
        });

        // The load runs from before B starts, through the handover, to A's exit.
        await Poll.AssertAsync(() => Volatile.Read(ref attempts) > 20, TimeSpan.FromSeconds(10), () => "load running");
        await using var b = await NodeProcess.StartAsync(conf, output, ports);
        Assert.Contains($"took over 3 listening sockets from pid {a.Pid}", b.Output);
        await Poll.AssertAsync(() => a.Output.Contains($"pid {b.Pid} took over 3 listening sockets"), TimeSpan.FromSeconds(5), () => "A saw the takeover\n" + a.Output);

        var beforeQuit = Volatile.Read(ref attempts);
        await Poll.AssertAsync(() => Volatile.Read(ref attempts) > beforeQuit + 30, TimeSpan.FromSeconds(10), () => "load running on both");
        Assert.False(publisher.HasExited, "the stream must still run when A is told to quit (make the publisher's duration longer)");
        a.Signal(Posix.SIGQUIT);
        var framesAtQuit = player.Frames;
        // A drains: its player keeps receiving while the publisher streams...
        await Poll.AssertAsync(() => player.Frames > framesAtQuit + 25, TimeSpan.FromSeconds(15),
            () => $"A's player kept receiving during the drain: {framesAtQuit} -> {player.Frames}");
        // ...until the stream ends; then A's last clients are gone and it exits.
        await publisher.DisposeAsync();
        var aExited = await a.WaitForExitAsync(TimeSpan.FromSeconds(30));
        stopLoad.Cancel();
        await load;
        output.WriteLine($"upgrade in place (listener handover): {attempts} connection attempts (handshake included) at 10 ms intervals " +
                         $"from before B started until A exited, {failures.Count} failures; A's player {framesAtQuit} -> {player.Frames} frames during the drain");

        Assert.True(aExited.HasValue, "A exit:\n" + a.Output);
        Assert.Equal(0, a.ExitCode);
        Assert.False(b.HasExited);
        Assert.Equal(200, await b.ReadyStatusAsync());
        Assert.Null(await HandshakeProbe.TryAsync(b.RtmpPort, TimeSpan.FromSeconds(3)));

        // B now serves the upgrade socket, and A's release left B's listeners as they were.
        var fromB = ListenerHandover.Request(b.UpgradeSocket);
        try
        {
            Assert.Equal(b.Pid, fromB.FromPid);
            Assert.Equal(3, fromB.Received);
            foreach (var port in new[] { b.RtmpPort, b.ApiPort, b.HttpPort })
            {
                using var s = fromB.TakeFor("any", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                Assert.NotNull(s);
                Assert.False(s.LingerState!.Enabled, $"SO_LINGER of B's listener on {port} after A quit");
            }
        }
        finally
        {
            fromB.Abandon();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

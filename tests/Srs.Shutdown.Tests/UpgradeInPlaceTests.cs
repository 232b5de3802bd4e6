using System.Diagnostics;
using Srs.Node.Upgrade;
using Srs.Protocol.Rtmp.Client;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// Upgrade in place on bare metal: process B starts on A's configuration and takes over A's
/// listening sockets (srs.upgrade-socket), then SIGQUIT to A. No connection attempt may fail, and
/// a viewer B accepts gets the stream whose encoder is still on A.
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
        await using var b = await SuccessorAsync(a, conf, ports);
        Assert.Contains($"took over 3 listening sockets from pid {a.Pid}", b.Output);

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

    [Fact]
    public async Task A_viewer_the_new_process_accepts_gets_the_stream_the_old_one_still_holds_within_2s_over_rtmp_and_http_flv()
    {
        const string conf = QuickQuit;
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        var rtmpUrl = $"rtmp://127.0.0.1:{a.RtmpPort}/live/follow";
        await using var publisher = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => a.IsPublishedAsync("follow"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);

        await using var b = await SuccessorAsync(a, conf, ports);
        Assert.Contains("streams published there are pulled from it until it exits", b.Output);
        // A stops accepting: from then on every new viewer is B's, and the encoder is still A's.
        a.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => a.Output.Contains("quit phase service-unbind (unbinding) took"), TimeSpan.FromSeconds(10), () => "A unbound\n" + a.Output);
        await Poll.AssertAsync(() => b.Output.Contains("the previous process (pid") && b.Output.Contains("drains"), TimeSpan.FromSeconds(5), () => "B told\n" + b.Output);

        var clock = Stopwatch.StartNew();
        await HeldPublisher.PlayFirstKeyframeAsync(b.RtmpPort, "live", "follow", TimeSpan.FromSeconds(2));
        var rtmpMs = clock.ElapsedMilliseconds;
        clock.Restart();
        await CountingFlvPlayer.FirstKeyframeAsync($"http://127.0.0.1:{b.HttpPort}/live/follow.flv", TimeSpan.FromSeconds(2));
        var flvMs = clock.ElapsedMilliseconds;
        Assert.Contains("media from origin previous-process", b.Output);
        // A real player too, still connected later.
        await using var player = FfmpegProcess.Play($"http://127.0.0.1:{b.HttpPort}/live/follow.flv");
        await Poll.AssertAsync(() => player.Frames > 25, TimeSpan.FromSeconds(15), () => "ffmpeg on B receiving\n" + player.Errors + "\n" + b.Output);
        output.WriteLine($"new viewers on B while the encoder is on A: first keyframe over RTMP after {rtmpMs} ms, over HTTP-FLV after {flvMs} ms");

        Assert.False(a.HasExited, "A drains while its encoder streams\n" + a.Output);
    }

    [Fact]
    public async Task The_encoder_moving_to_the_new_process_takes_the_stream_over_from_the_draining_old_one_and_viewers_stay_connected()
    {
        const string conf = QuickQuit;
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        var rtmpUrl = $"rtmp://127.0.0.1:{a.RtmpPort}/live/move";
        await using var onA = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => a.IsPublishedAsync("move"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);
        await using var b = await SuccessorAsync(a, conf, ports);
        a.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => b.Output.Contains("the previous process (pid") && b.Output.Contains("drains"), TimeSpan.FromSeconds(10), () => "B told\n" + b.Output);

        // A viewer on B, fed through B's pull from A.
        await using var viewer = StreamWatcher.Play(b.RtmpPort, "live", "move");
        await Poll.AssertAsync(() => viewer.Frames > 25, TimeSpan.FromSeconds(10), () => "viewer on B receiving\n" + b.Output);
        viewer.ResetGap();

        // The encoder reconnects (a second ffmpeg stands for it; A no longer accepts, so it lands on B).
        await using var onB = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => b.Output.Contains("takes the stream over from client edge-pull:previous-process"), TimeSpan.FromSeconds(15),
            () => "B took the stream over\n" + onB.Errors + "\n" + b.Output);
        var framesAtTakeover = viewer.Frames;
        await Poll.AssertAsync(() => viewer.Frames > framesAtTakeover + 50, TimeSpan.FromSeconds(15), () => "viewer fed by the new encoder\n" + b.Output);
        output.WriteLine($"encoder moved from A to B: the viewer on B stayed connected, longest gap between two frames {viewer.MaxGap.TotalMilliseconds:F0} ms");
        Assert.True(viewer.Connected, "the viewer on B stays connected");
        Assert.False(onB.HasExited, "the new publish was accepted\n" + onB.Errors);
        Assert.True(viewer.MaxGap < TimeSpan.FromSeconds(1), $"{viewer.DescribeGap()}\nB:\n{b.Output}\nA:\n{a.Output}");
    }

    [Fact]
    public async Task A_publisher_honouring_the_reconnect_request_moves_to_the_new_process_and_no_viewer_on_either_sees_a_gap_over_1s()
    {
        const string conf = QuickQuit;
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        await using var publisher = await MovingPublisher.StartAsync(a.RtmpPort, "live", "moving", TimeSpan.FromSeconds(10));
        await Poll.AssertAsync(() => a.IsPublishedAsync("moving"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);
        // A viewer of A's (B does not exist yet).
        var onA = StreamWatcher.Play(a.RtmpPort, "live", "moving");
        await using var __ = onA;
        await Poll.AssertAsync(() => onA.Frames > 25, TimeSpan.FromSeconds(10), () => "viewer on A receiving\n" + a.Output);
        await using var b = await SuccessorAsync(a, conf, ports);

        // A viewer that B accepted (both accept until A quits: try until one lands on B), fed through B's pull from A.
        var viewer = await ViewerOnAsync(b, a, "moving");
        await using var _ = viewer;
        await Poll.AssertAsync(() => viewer.Frames > 25, TimeSpan.FromSeconds(10), () => "viewer on B receiving\n" + b.Output);
        viewer.ResetGap();
        onA.ResetGap();

        a.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => publisher.Moves == 1, TimeSpan.FromSeconds(15),
            () => $"the publisher moved (error: {publisher.MoveError?.Message})\nA:\n{a.Output}\nB:\n{b.Output}");
        Assert.Contains("asked to reconnect (NetConnection.Connect.ReconnectRequest)", a.Output);
        await Poll.AssertAsync(() => b.Output.Contains("took the stream over from client edge-pull:previous-process (its first keyframe)"),
            TimeSpan.FromSeconds(10), () => "B took over at the keyframe\n" + b.Output);
        var framesAtMove = viewer.Frames;
        var framesOnA = onA.Frames;
        await Poll.AssertAsync(() => viewer.Frames > framesAtMove + 50, TimeSpan.FromSeconds(15), () => "viewer on B fed by the moved publisher\n" + b.Output);
        // A's own viewer stays too: A pulls the stream back from B for it while it drains.
        await Poll.AssertAsync(() => onA.Frames > framesOnA + 50, TimeSpan.FromSeconds(15), () => "viewer on A still fed\n" + a.Output);
        output.WriteLine($"publisher moved from A to B by a reconnect request: longest gap between two frames for the viewer on B {viewer.MaxGap.TotalMilliseconds:F0} ms, on A {onA.MaxGap.TotalMilliseconds:F0} ms");
        Assert.True(viewer.Connected, "the viewer on B stays connected");
        Assert.True(onA.Connected, "the viewer on A stays connected");
        Assert.True(viewer.MaxGap < TimeSpan.FromSeconds(1), $"on B: {viewer.DescribeGap()}\nB:\n{b.Output}\nA:\n{a.Output}");
        Assert.True(onA.MaxGap < TimeSpan.FromSeconds(1), $"on A: {onA.DescribeGap()}\nA:\n{a.Output}\nB:\n{b.Output}");
        Assert.Contains("media from origin next-process", a.Output);
        // A's last viewer leaves: nothing keeps A, which exits.
        await onA.DisposeAsync();
        Assert.True((await a.WaitForExitAsync(TimeSpan.FromSeconds(15))).HasValue, "A exits once its last viewer left\n" + a.Output);
    }

    [Fact]
    public async Task An_encoder_ignoring_the_reconnect_request_stays_on_the_old_process_until_grace_max_wait_then_reconnects_to_the_new_one_and_its_viewers_stay_connected()
    {
        const string conf = QuickQuit + "\n grace-max-wait = 3s";
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        var rtmpUrl = $"rtmp://127.0.0.1:{a.RtmpPort}/live/stay";
        // ffmpeg sends no capsEx: A never asks it to move, and it never leaves by itself within the test.
        await using var onA = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(120));
        await Poll.AssertAsync(() => a.IsPublishedAsync("stay"), TimeSpan.FromSeconds(15), () => "published on A\n" + onA.Errors + "\n" + a.Output);
        await using var b = await SuccessorAsync(a, conf, ports);

        // Viewers B accepted, fed through B's pull from A: one on the project's client, one ffmpeg over HTTP-FLV.
        var viewer = await ViewerOnAsync(b, a, "stay");
        await using var _ = viewer;
        var player = await OnAsync(b, a, "stay", () => FfmpegProcess.Play($"http://127.0.0.1:{b.HttpPort}/live/stay.flv"));
        await using var __ = player;
        await Poll.AssertAsync(() => viewer.Frames > 25 && player.Frames > 25, TimeSpan.FromSeconds(15),
            () => $"viewers on B receiving: {viewer.Frames} / {player.Frames} frames\n{player.Errors}\n{b.Output}");
        Assert.Contains("media from origin previous-process", b.Output);
        viewer.ResetGap();

        var framesAtQuit = viewer.Frames;
        var quitAt = DateTime.UtcNow;
        a.Signal(Posix.SIGQUIT);
        // The encoder stays on A through the drain (B's viewers fed by the pull), until grace-max-wait closes it.
        var closedAt = await onA.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(closedAt.HasValue, "A closed the encoder at grace-max-wait\n" + a.Output);
        var stayedMs = (closedAt!.Value - quitAt).TotalMilliseconds;
        Assert.True(stayedMs >= 300 + 3000 - 50, $"the encoder stayed on A until grace-start-wait + grace-max-wait (3300 ms): it left after {stayedMs:F0} ms\n{onA.Errors}\n{a.Output}");
        // A logs the encoder's connection as it ends, which ffmpeg may notice first.
        var kicked = new System.Text.RegularExpressions.Regex(@"client \d+ \(127\.0\.0\.1:\d+\) closed: kicked: grace-max-wait \(3000 ms\) reached");
        await Poll.AssertAsync(() => a.Output.Contains("remaining clients: grace-max-wait (3000 ms) reached") && kicked.IsMatch(a.Output),
            TimeSpan.FromSeconds(5), () => "A closed its clients at grace-max-wait, the encoder among them\n" + a.Output);
        Assert.DoesNotContain("asked to reconnect", a.Output);
        var framesAtClose = viewer.Frames;
        Assert.True(framesAtClose > framesAtQuit + 50, $"the viewer on B was fed through the drain: {framesAtQuit} -> {framesAtClose} frames\n{b.Output}");
        var playerFramesAtClose = player.Frames;

        // The encoder reconnects by itself (OBS, ffmpeg in a loop): A no longer listens, so it lands on B.
        var publishes = b.CountInOutput("publishes __defaultVhost__/live/stay");
        await using var onB = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => b.CountInOutput("publishes __defaultVhost__/live/stay") > publishes, TimeSpan.FromSeconds(15),
            () => "the reconnected encoder publishes on B\n" + onB.Errors + "\n" + b.Output);
        await Poll.AssertAsync(() => viewer.Frames > framesAtClose + 50 && player.Frames > playerFramesAtClose + 50, TimeSpan.FromSeconds(15),
            () => $"viewers on B fed by the reconnected encoder: {framesAtClose} -> {viewer.Frames}, ffmpeg {playerFramesAtClose} -> {player.Frames}\n{player.Errors}\n{b.Output}");
        var aExited = await a.WaitForExitAsync(TimeSpan.FromSeconds(15));
        // The gap covers A closing the encoder (which ends B's pull), ffmpeg's exit and restart (process
        // start, x264 set-up, handshake, publish) and its first frame reaching B's viewer: 0.30-0.82 s measured,
        // bounded at 3 s for a busy machine.
        output.WriteLine($"encoder ignoring the reconnect request: stayed on A for {stayedMs:F0} ms after SIGQUIT (grace-start-wait 300 ms + grace-max-wait 3000 ms); " +
                         $"the viewer on B stayed connected, longest gap between two frames {viewer.MaxGap.TotalMilliseconds:F0} ms (ffmpeg's restart included)");
        var viewerEnded = viewer.Connected ? null : await viewer.Completion;
        Assert.True(viewerEnded is null, $"the viewer on B stays connected: {viewerEnded}\n{b.Output}");
        Assert.False(player.HasExited, "the HTTP-FLV player on B stays connected\n" + player.Errors + "\n" + b.Output);
        Assert.True(aExited.HasValue, "A exits once its clients are closed\n" + a.Output);
        Assert.Equal(0, a.ExitCode);
        Assert.True(viewer.MaxGap < TimeSpan.FromSeconds(3), $"{viewer.DescribeGap()}\nB:\n{b.Output}\nA:\n{a.Output}");
    }

    [Theory]
    [InlineData(true)] // B pulls the stream from A for its viewer: the pull is the publisher the second one meets
    [InlineData(false)] // nothing pulls it on B: B asks A, which says its encoder publishes it
    public async Task A_second_publisher_of_a_stream_the_old_process_serves_is_refused_by_the_new_one_while_the_old_one_is_not_draining(bool viewerOnB)
    {
        const string conf = QuickQuit;
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        await using var first = FfmpegProcess.Publish($"rtmp://127.0.0.1:{a.RtmpPort}/live/taken", TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => a.IsPublishedAsync("taken"), TimeSpan.FromSeconds(15), () => "published on A\n" + first.Errors + "\n" + a.Output);
        // A viewer of A's (B does not exist yet).
        await using var onA = StreamWatcher.Play(a.RtmpPort, "live", "taken");
        await Poll.AssertAsync(() => onA.Frames > 25, TimeSpan.FromSeconds(10), () => "viewer on A receiving\n" + a.Output);
        await using var b = await SuccessorAsync(a, conf, ports);
        // With a viewer, B pulls the stream from A.
        var onB = viewerOnB ? await ViewerOnAsync(b, a, "taken") : null;
        await using var _ = onB;
        if (onB is not null) await Poll.AssertAsync(() => onB.Frames > 25, TimeSpan.FromSeconds(10), () => "viewer on B receiving\n" + b.Output);
        onA.ResetGap();
        onB?.ResetGap();

        // A second encoder of the stream, accepted by B (A paused only while B accepts); A runs on, not draining.
        RtmpStatusException? refused = null;
        try
        {
            await using var second = await HeldPublisher.StartOnAsync(b, a, "live", "taken", TimeSpan.FromSeconds(10));
        }
        catch (RtmpStatusException e)
        {
            refused = e;
        }
        Assert.True(refused is not null, "B refused the second publisher\nB:\n" + b.Output + "\nA:\n" + a.Output);
        Assert.Equal("NetStream.Publish.BadName", refused.Status.Code);
        // B logs it as the connection ends, after the client has the status.
        await Poll.AssertAsync(() => b.Output.Contains(viewerOnB
                ? "publish refused: stream __defaultVhost__/live/taken is already published"
                : $"publish refused: stream __defaultVhost__/live/taken is published on the previous process (pid {a.Pid})"), TimeSpan.FromSeconds(5),
            () => "B logged the refusal\n" + b.Output);

        // The first encoder and the viewers go on as before.
        var frames = onA.Frames;
        var framesOnB = onB?.Frames ?? 0;
        await Poll.AssertAsync(() => onA.Frames > frames + 25 && (onB is null || onB.Frames > framesOnB + 25), TimeSpan.FromSeconds(10),
            () => $"viewers still fed: on A {frames} -> {onA.Frames}, on B {framesOnB} -> {onB?.Frames}\nA:\n{a.Output}\nB:\n{b.Output}");
        output.WriteLine($"second publisher on B refused with {refused.Status.Code} ({refused.Status.Description}); longest gap between two frames for the viewer on A {onA.MaxGap.TotalMilliseconds:F0} ms" +
                         (onB is null ? "" : $", on B {onB.MaxGap.TotalMilliseconds:F0} ms"));
        Assert.False(first.HasExited, "the first encoder still publishes on A\n" + first.Errors + "\n" + a.Output);
        Assert.True(onA.Connected, "the viewer on A stays connected\n" + a.Output);
        Assert.True(onB?.Connected != false, "the viewer on B stays connected\n" + b.Output);
        Assert.DoesNotContain("unpublished by client", a.Output);
    }

    /// <summary>Grace waits short enough for tests: A stops accepting 300 ms after SIGQUIT.</summary>
    private const string QuickQuit = "grace-start-wait = 300ms\n grace-final-wait = 500ms";

    /// <summary>B, started on A's configuration: it has taken A's listening sockets, and A knows it.</summary>
    private async Task<NodeProcess> SuccessorAsync(NodeProcess a, string conf, int[] ports)
    {
        var b = await NodeProcess.StartAsync(conf, output, ports);
        await Poll.AssertAsync(() => a.Output.Contains($"pid {b.Pid} took over 3 listening sockets"), TimeSpan.FromSeconds(5), () => "A saw the takeover\n" + a.Output);
        return b;
    }

    /// <summary>
    /// A viewer of <paramref name="stream"/> accepted by <paramref name="node"/>, which shares its
    /// listening socket with <paramref name="other"/>: the other process is paused (<see cref="ProcessPause"/>) until
    /// <paramref name="node"/> has the viewer, since whichever process wakes first accepts.
    /// </summary>
    private static Task<StreamWatcher> ViewerOnAsync(NodeProcess node, NodeProcess other, string stream) =>
        OnAsync(node, other, stream, () => StreamWatcher.Play(node.RtmpPort, "live", stream));

    /// <summary>A player (RTMP or HTTP-FLV) that <paramref name="play"/> starts, accepted by <paramref name="node"/> while <paramref name="other"/> is paused.</summary>
    private static async Task<T> OnAsync<T>(NodeProcess node, NodeProcess other, string stream, Func<T> play)
    {
        var plays = node.CountInOutput($"plays __defaultVhost__/live/{stream}");
        using (await ProcessPause.StartAsync(other.Pid))
        {
            var player = play();
            await Poll.AssertAsync(() => node.CountInOutput($"plays __defaultVhost__/live/{stream}") > plays, TimeSpan.FromSeconds(10),
                () => $"pid {node.Pid} accepted the player while pid {other.Pid} was paused\n{node.Output}");
            return player;
        }
    }
}

using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>SIGTERM and SIGINT: the fast quit (docs/operations.md, Signals and Graceful quit), and escalation from a graceful quit.</summary>
public sealed class FastQuitTests(ITestOutputHelper output)
{
    private const string LongWaits = "grace-start-wait = 5s\n grace-final-wait = 5s";
    private const int IdleClientCount = 300;

    [Theory]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGINT)]
    public async Task Fast_quit_disconnects_hundreds_of_clients_and_exits_within_3s(int signal)
    {
        await using var node = await NodeProcess.StartAsync(LongWaits, output);
        var rtmpUrl = $"rtmp://127.0.0.1:{node.RtmpPort}/live/fast";
        await using var publisher = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => node.IsPublishedAsync("fast"), TimeSpan.FromSeconds(15), () => "published\n" + publisher.Errors + "\n" + node.Output);
        await using var player = FfmpegProcess.Play(rtmpUrl);
        await using var flv = new CountingFlvPlayer($"http://127.0.0.1:{node.HttpPort}/live/fast.flv");
        using var idle = await IdleClients.OpenAsync(node.RtmpPort, IdleClientCount);
        await Poll.AssertAsync(() => player.Frames > 10 && flv.Bytes > 10_000, TimeSpan.FromSeconds(20), () => $"players receiving: frames {player.Frames}, flv {flv.Bytes}, publisher exited {publisher.HasExited}: {publisher.Errors}; player: {player.Errors}\n" + node.Output);
        await Poll.AssertAsync(async () => await node.ClientCountAsync() >= IdleClientCount + 3, TimeSpan.FromSeconds(10), () => "all clients counted");

        var signalled = DateTime.UtcNow;
        node.Signal(signal);
        var exited = await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(exited.HasValue, "exit after fast quit:\n" + node.Output);
        Assert.Equal(0, node.ExitCode);
        var took = exited.Value - signalled;
        output.WriteLine($"signal {signal} with {IdleClientCount + 3} clients: exit after {took.TotalMilliseconds:F0} ms");
        Assert.True(took < TimeSpan.FromSeconds(3), $"fast quit took {took.TotalMilliseconds:F0} ms");

        Assert.NotNull(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(3)));
        Assert.NotNull(await player.WaitForExitAsync(TimeSpan.FromSeconds(3)));
        await flv.Completion.WaitAsync(TimeSpan.FromSeconds(3));
        await Poll.AssertAsync(() => idle.CountClosedByServer() == IdleClientCount, TimeSpan.FromSeconds(2),
            () => $"idle clients closed: {idle.CountClosedByServer()} of {IdleClientCount}");
    }

    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    public async Task Repeated_sigquit_is_ignored_and_a_fast_signal_turns_the_graceful_quit_fast(int fastSignal)
    {
        await using var node = await NodeProcess.StartAsync("grace-start-wait = 300ms\n grace-final-wait = 5s", output);
        var rtmpUrl = $"rtmp://127.0.0.1:{node.RtmpPort}/live/escalate";
        await using var publisher = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(60));
        await Poll.AssertAsync(() => node.IsPublishedAsync("escalate"), TimeSpan.FromSeconds(15), () => "published\n" + publisher.Errors + "\n" + node.Output);
        await using var player = FfmpegProcess.Play(rtmpUrl);
        await Poll.AssertAsync(() => player.Frames > 10, TimeSpan.FromSeconds(20), () => "player receiving\n" + node.Output);

        node.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(async () => (await node.ShutdownStateAsync())?.Phase == "waiting-clients", TimeSpan.FromSeconds(3), () => "draining");
        node.Signal(Posix.SIGQUIT);
        await Poll.AssertAsync(() => node.Output.Contains("graceful quit request ignored"), TimeSpan.FromSeconds(2), () => "second SIGQUIT logged\n" + node.Output);
        Assert.Equal("waiting-clients", (await node.ShutdownStateAsync())?.Phase);
        Assert.False(publisher.HasExited, "a repeated SIGQUIT must not close clients");

        var signalled = DateTime.UtcNow;
        node.Signal(fastSignal);
        var exited = await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(exited.HasValue, "exit after escalation:\n" + node.Output);
        Assert.Equal(0, node.ExitCode);
        var took = exited.Value - signalled;
        output.WriteLine($"SIGQUIT then signal {fastSignal}: exit {took.TotalMilliseconds:F0} ms after it (grace-final-wait 5 s skipped)");
        Assert.True(took < TimeSpan.FromSeconds(3), $"took {took.TotalMilliseconds:F0} ms");
        Assert.NotNull(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(3)));
        Assert.NotNull(await player.WaitForExitAsync(TimeSpan.FromSeconds(3)));
    }
}

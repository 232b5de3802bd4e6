using System.Diagnostics;
using Srs.Testing;
using Xunit.Abstractions;

namespace Srs.Shutdown.Tests;

/// <summary>
/// Upgrade in place on bare metal (PRODUCT.md section 5): process B starts on A's ports
/// (SO_REUSEPORT), SIGQUIT to A, while a client opens a new RTMP connection every 10 ms.
/// </summary>
public sealed class UpgradeInPlaceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task New_process_on_the_same_ports_takes_new_clients_while_the_old_one_drains()
    {
        const string conf = "reuseport = on\n grace-start-wait = 500ms\n grace-final-wait = 700ms";
        var ports = FreePorts.Take(3);
        await using var a = await NodeProcess.StartAsync(conf, output, ports);
        var rtmpUrl = $"rtmp://127.0.0.1:{a.RtmpPort}/live/upgrade";
        await using var publisher = FfmpegProcess.Publish(rtmpUrl, TimeSpan.FromSeconds(7));
        await Poll.AssertAsync(() => a.IsPublishedAsync("upgrade"), TimeSpan.FromSeconds(15), () => "published on A\n" + a.Output);
        // The player connects before B exists, so it is A's (B's API cannot see A's streams).
        await using var player = FfmpegProcess.Play(rtmpUrl);
        await Poll.AssertAsync(() => player.Frames > 10, TimeSpan.FromSeconds(20), () => "player receiving\n" + player.Errors);

        await using var b = await NodeProcess.StartAsync(conf, output, ports);

        var attempts = 0;
        var failures = new List<string>();
        using var stopLoad = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var tick = Stopwatch.StartNew();
            while (!stopLoad.IsCancellationRequested)
            {
                Interlocked.Increment(ref attempts);
                if (await HandshakeProbe.TryAsync(a.RtmpPort, TimeSpan.FromSeconds(3)) is { } error) failures.Add($"{tick.ElapsedMilliseconds} ms: {error}");
                await Task.Delay(10);
            }
        });

        await Poll.AssertAsync(() => Volatile.Read(ref attempts) > 50, TimeSpan.FromSeconds(10), () => "load running");
        a.Signal(Posix.SIGQUIT);
        var framesAtQuit = player.Frames;
        var aExited = await a.WaitForExitAsync(TimeSpan.FromSeconds(20));
        stopLoad.Cancel();
        await load;

        Assert.True(aExited.HasValue, "A exit:\n" + a.Output);
        Assert.Equal(0, a.ExitCode);
        Assert.True(player.Frames > framesAtQuit + 25, $"A's player kept receiving during the drain: {framesAtQuit} -> {player.Frames}");
        Assert.False(b.HasExited);
        Assert.Equal(200, await b.ReadyStatusAsync());
        Assert.False(await NodeProcess.RefusesAsync(b.RtmpPort));
        output.WriteLine($"upgrade in place: {attempts} connection attempts (handshake included) at 10 ms intervals until A exited, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

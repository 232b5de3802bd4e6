using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Bench.Play;
using Srs.Bench.Report;
using Srs.Bench.Server;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>play</c>: publishes K stamped streams itself, ramps N players (RTMP or HTTP-FLV) onto
/// them, lets them settle, then measures a steady window: per-player frame rate and bytes,
/// stalls, failed connects, time to first frame, end-to-end latency of every stamped frame,
/// and the server's CPU time, RSS and GC figures over the same window.
/// </summary>
public static class PlayMode
{
    public const string Usage = """
          play         N players of streams the tool publishes itself; latency, TTFF, stalls, server CPU/RSS/GC
            --url URL           rtmp://host:port/app/name: publish to it, RTMP players play it  [rtmp://127.0.0.1:1935/live/play]
            --protocol P        rtmp or flv (HTTP-FLV players; publishing stays RTMP)  [rtmp]
            --flv HOST:PORT     HTTP-FLV server; players GET /APP/NAME.flv  [127.0.0.1:8080]
            --players N         [100]
            --streams K         streams NAME-0..NAME-(K-1), players spread round-robin (1: NAME itself)  [1]
            --ramp R            players started per second, 0 = all at once  [200]
            --settle T          after the last player started, before the window  [5s]
            --duration T        the steady window measured  [40s]
            --warmup T          publishing before the first player (the GOP cache fills)  [2s]
            --bitrate KBPS      [1000]
            --gop FRAMES        [50]
            --stall T           a player with no media for longer has stalled  [3s]
            --setup-timeout T   a player not playing after this has failed  [10s]
            --handshake H       digest (as ffmpeg) or simple  [digest]
            --recv-buffer BYTES receive buffer per player  [32768]
            --probe-every K     every K-th player is a latency probe and reads each message as it arrives; the others
                                read in batches (SO_RCVLOWAT) after their first keyframe, which keeps the tool cheap  [10]
            --batch-bytes B     the batch for non-probe players, 0 = every player reads eagerly (all are probes)  [16384]
            --api URL           the node's HTTP API: /metrics for GC figures (and CPU/RSS without --server-pid)  [none]
            --server-pid P[,P]  server processes for CPU (utime+stime) and RSS from /proc, summed  [none]
            --label NAME        names the server in the RESULT line  [server]
        """;

    private const double NominalFps = StreamProfile.DefaultFramesPerSecond;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var options = PlayerOptions.Parse(args, "rtmp://127.0.0.1:1935/live/play");
        var playerCount = args.Int("players", 100);
        var ramp = args.Int("ramp", 200, min: 0);
        var settle = args.Duration("settle", TimeSpan.FromSeconds(5));
        var window = args.Duration("duration", TimeSpan.FromSeconds(40));
        var warmup = args.Duration("warmup", TimeSpan.FromSeconds(2));
        var stallAfter = args.Duration("stall", TimeSpan.FromSeconds(3));
        var recvBuffer = args.Int("recv-buffer", 32768, min: 4096);
        var probeEvery = args.Int("probe-every", 10);
        var batchBytes = args.Int("batch-bytes", 16384, min: 0);
        var label = args.String("label", "server");
        using var probe = ServerProbe.Parse(args.OptionalString("server-pid"), args.OptionalString("api"));
        args.ThrowOnUnknown();

        var (protocol, streamCount, profile) = (options.Protocol, options.Streams, options.Profile);
        var target = await options.TargetAsync(recvBuffer, probeEvery, batchBytes);
        var context = target.Context;
        var stream = new SyntheticStream(profile, stamped: true);
        var fdLimit = ServerProbe.FileDescriptorLimit();

        Console.WriteLine($"play: {playerCount} {protocol} players on {streamCount} stream(s) ({target.Describe(target.Streams[0])}{(streamCount > 1 ? ", ..." : "")}), " +
                          $"ramp {(ramp == 0 ? "all at once" : ramp + "/s")}, settle {settle.TotalSeconds:0.#} s, window {window.TotalSeconds:0.#} s");
        Console.WriteLine($"stream: {stream.Describe()}; video frames stamped (SEI) for latency");
        Console.WriteLine($"load tool: pid {Environment.ProcessId}, {Environment.ProcessorCount} CPU(s) usable, open-file limit {fdLimit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}, " +
                          $"inline socket completions {(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1" ? "on" : "off")}");
        Console.WriteLine(batchBytes == 0
            ? "latency: every player is a probe (reads each message as it arrives)"
            : $"latency: measured on every {probeEvery}th player ({(playerCount + probeEvery - 1) / probeEvery} probes, reading each message as it arrives); " +
              $"the others read in {batchBytes}-byte batches after their first keyframe");
        if (fdLimit is { } limit && playerCount + streamCount + 64 > limit)
            Console.WriteLine($"WARNING: {playerCount} players need more file descriptors than the limit {limit}: raise it (ulimit -n)");
        if (probe.Any) Console.WriteLine($"server: {(probe.Pids.Count > 0 ? "pid " + string.Join(",", probe.Pids) : "")}{(probe.Api is not null ? " api " + probe.Api : "")}");

        var clock = Stopwatch.StartNew();
        var phase = "publish";
        await using var fleet = new PlayerFleet(target, options.SetupTimeout, stallAfter);
        var live = new LiveRates(fleet, probe, context);
        long? rssMax = null;
        await using (new ConsoleProgress(() =>
        {
            var line = live.Line(clock.Elapsed, phase);
            if (phase == "window" && live.LastRss is { } r) rssMax = Math.Max(rssMax ?? 0, r);
            return line;
        }, TimeSpan.FromSeconds(5)))
        {
            await fleet.PublishAsync(stream);
            phase = "warmup";
            await Task.Delay(warmup, ct);
            // The server with its publishers and no player: what each player adds is measured from here.
            var idle = await probe.TakeAsync(ct);

            phase = "ramp";
            var rampClock = Stopwatch.StartNew();
            for (var i = 0; i < playerCount; i++)
            {
                if (ramp > 0)
                {
                    var due = TimeSpan.FromSeconds((double)i / ramp) - rampClock.Elapsed;
                    if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, ct);
                }
                fleet.Start(i);
            }
            await Task.WhenAll(fleet.Players.Select(p => p.Started));
            var rampTime = rampClock.Elapsed;

            phase = "settle";
            await Task.Delay(settle, ct);

            // The steady window.
            var players = fleet.Players;
            var before = await probe.TakeAsync(ct);
            var toolCpu0 = ServerProbe.SelfCpu();
            var toolAlloc0 = GC.GetTotalAllocatedBytes();
            var machine = new MachineLoad();
            // The players' counters are read right at the window's edges (the server probes around them take
            // tens of milliseconds: frames counted during those would inflate the frame rate).
            var windowStart = Stopwatch.GetTimestamp();
            foreach (var p in players)
            {
                p.Stats.WindowStartFrames = Volatile.Read(ref p.Stats.VideoFrames);
                p.Stats.WindowStartBytes = Volatile.Read(ref p.Stats.Bytes);
            }
            context.InWindow = true;
            phase = "window";
            rssMax = before.RssBytes;
            await Task.Delay(window, ct);
            context.InWindow = false;
            foreach (var p in players)
            {
                p.Stats.WindowEndFrames = Volatile.Read(ref p.Stats.VideoFrames);
                p.Stats.WindowEndBytes = Volatile.Read(ref p.Stats.Bytes);
            }
            var windowEnd = Stopwatch.GetTimestamp();
            var busy = machine.BusyPercent();
            var toolCpu1 = ServerProbe.SelfCpu();
            var toolAllocMbps = (GC.GetTotalAllocatedBytes() - toolAlloc0) / 1e6;
            var after = await probe.TakeAsync(ct);
            if (after.RssBytes is { } lastRss) rssMax = Math.Max(rssMax ?? 0, lastRss);
            phase = "stop";

            var wall = Stopwatch.GetElapsedTime(windowStart, windowEnd);
            var summary = new PlaySummary(label, target, profile, players, fleet.Publishers, context.Latency, wall, rampTime,
                idle, before, after, rssMax, (toolCpu1 - toolCpu0) / wall * 100, toolAllocMbps / wall.TotalSeconds, fdLimit, windowStart, busy);
            await fleet.DisposeAsync();
            return summary.Print();
        }
    }

    /// <summary>The progress line: players by state, rates since the last line, the server's CPU and RSS.</summary>
    private sealed class LiveRates(PlayerFleet fleet, ServerProbe probe, PlayContext context)
    {
        private long _lastTicks = Stopwatch.GetTimestamp();
        private long _lastFrames;
        private long _lastBytes;
        private TimeSpan? _lastServerCpu;
        private TimeSpan _lastToolCpu = ServerProbe.SelfCpu();

        public long? LastRss { get; private set; }

        public string Line(TimeSpan elapsed, string phase)
        {
            var players = fleet.Players;
            int playing = 0, failed = 0, stalled = 0, connecting = 0;
            long frames = 0, bytes = 0;
            foreach (var p in players)
            {
                var s = p.Stats;
                if (s.Error is not null) failed++;
                else if (s.Playing) playing++;
                else if (!s.Ended) connecting++;
                if (s.InStall && !s.Ended) stalled++;
                frames += Volatile.Read(ref s.VideoFrames);
                bytes += Volatile.Read(ref s.Bytes);
            }

            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(_lastTicks, now).TotalSeconds;
            var fps = playing == 0 || seconds <= 0 ? 0 : (frames - _lastFrames) / seconds / playing;
            var mbps = seconds <= 0 ? 0 : (bytes - _lastBytes) * 8 / seconds / 1e6;
            var toolCpu = ServerProbe.SelfCpu();
            var toolPct = seconds <= 0 ? 0 : (toolCpu - _lastToolCpu).TotalSeconds / seconds * 100;
            string server = "";
            if (probe.Pids.Count > 0)
            {
                TimeSpan? cpu = null;
                foreach (var pid in probe.Pids)
                    if (ProcessCpu.Read(pid) is { } c) cpu = (cpu ?? TimeSpan.Zero) + c;
                LastRss = probe.ReadRss();
                var pct = cpu is { } c1 && _lastServerCpu is { } c0 && seconds > 0 ? (c1 - c0).TotalSeconds / seconds * 100 : double.NaN;
                _lastServerCpu = cpu;
                server = FormattableString.Invariant($"  server cpu {pct:0}% rss {LastRss / 1e6:0} MB");
            }
            (_lastTicks, _lastFrames, _lastBytes, _lastToolCpu) = (now, frames, bytes, toolCpu);
            var latency = context.InWindow && context.Latency.Count > 0
                ? FormattableString.Invariant($"  latency p50 {context.Latency.PercentileMs(50):0.0} p99 {context.Latency.PercentileMs(99):0.0} ms")
                : "";
            return string.Create(CultureInfo.InvariantCulture,
                $"  {elapsed.TotalSeconds,6:0.0}s {phase,-7} playing {playing}/{players.Length} connecting {connecting} failed {failed} stalled {stalled}  " +
                $"{fps:0.0} fps/player  {mbps:0.0} Mbps{latency}{server}  tool cpu {toolPct:0}%");
        }
    }
}

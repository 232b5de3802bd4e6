using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Bench.Play;
using Srs.Bench.Report;
using Srs.Bench.Rtmp;
using Srs.Bench.Server;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>upgrade</c>: what viewers and encoders see across upgrades in place, one after the other.
/// One node, looping publishers that follow reconnect requests, and a steady audience of RTMP and
/// HTTP-FLV viewers, each watching for a random lifetime and then replaced by a new one. Every
/// --every a new process starts on the same configuration; once it has taken the listening sockets
/// over, the old one gets SIGQUIT and drains on its own (its viewers leave when their lifetime ends).
/// Counts refused viewers, viewers without video soon after joining, viewers the server cut, the
/// longest gap between two video pictures, publisher moves, and how long each old process lived on.
/// </summary>
public static class UpgradeMode
{
    public const string Usage = """
          upgrade      upgrades in place in a row under a steady audience: refused, no first frame, cut viewers, longest video gap
            --node PATH         Srs.Node.dll (run with dotnet) or an executable  [Srs.Node/bin/Release/net10.0/Srs.Node.dll of this repository]
            --upgrades N        upgrades in a row  [10]
            --every T           one upgrade this often (after as long a warm-up)  [8s]
            --players N         viewers kept connected, alternately RTMP and HTTP-FLV, spread over the streams  [200]
            --publishers K      streams, each with a publisher for the whole run that follows reconnect requests  [4]
            --lifetime MIN-MAX  each viewer watches for a uniformly random time, then leaves and a new one joins  [5s-20s]
            --first-frame T     a viewer with no video picture this long after joining counts as "no first frame"  [2s]
            --bitrate KBPS      [1000]
            --gop FRAMES        [50]
            --rtmp-port P       the nodes' RTMP port on 127.0.0.1; HTTP API P+1, HTTP-FLV P+2  [19380]
            --grace-start-wait T / --grace-final-wait T   the nodes' quit waits  [the node's defaults]
            --exit-wait T       after the last upgrade, the load goes on until the old processes exited, this long at most  [40s]
            --node-logs DIR     keep each node's whole output in DIR/node-PID.log, Akka at INFO  [none: Akka at WARNING, output discarded]
        """;

    /// <summary>One in-place upgrade: the old process got SIGQUIT at <see cref="QuitAt"/> (Stopwatch ticks).</summary>
    private sealed record Upgrade(int Number, int OldPid, int NewPid, string Start, TimeSpan TookOver, long QuitAt, Task<TimeSpan?> Exited, string Load);

    /// <summary>How one viewer's visit went; times in Stopwatch ticks.</summary>
    private sealed record Visit(string Protocol, string Stream, int Port, long Joined, long Left, string? Refused, bool NoFirstFrame, string? Cut,
        TimeSpan LongestGap, long GapEnd);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var node = args.OptionalString("node") ?? NodeRunner.DefaultNode();
        var upgrades = args.Int("upgrades", 10);
        var every = args.Duration("every", TimeSpan.FromSeconds(8));
        var players = args.Int("players", 200);
        var streams = args.Int("publishers", 4);
        var (lifeMin, lifeMax) = Range(args.String("lifetime", "5s-20s"));
        var firstFrame = args.Duration("first-frame", TimeSpan.FromSeconds(2));
        var profile = new StreamProfile(args.Int("bitrate", 1000), args.Int("gop", 50));
        var port = args.Int("rtmp-port", 19380);
        var startWait = args.OptionalDuration("grace-start-wait");
        var finalWait = args.OptionalDuration("grace-final-wait");
        var exitWait = args.Duration("exit-wait", TimeSpan.FromSeconds(40));
        var logDir = args.OptionalString("node-logs");
        args.ThrowOnUnknown();
        if (!File.Exists(node)) throw new ArgumentException($"--node: {node} not found (build it: dotnet build Srs.Node -c Release)");

        Console.WriteLine($"upgrade: {upgrades} upgrades in place, one every {every.TotalSeconds:0.#} s; {players} viewers (RTMP and HTTP-FLV) on {streams} streams, " +
                          $"each watching {lifeMin.TotalSeconds:0.#}-{lifeMax.TotalSeconds:0.#} s; node {node}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverages()}");

        var conf = await UpgradeConfig.WriteAsync("upgrade", port, "auto", startWait, finalWait, logDir is not null, ct);
        var url = RtmpUrl.Parse($"rtmp://127.0.0.1:{port}/live/upgrade");
        var names = PlayTarget.StreamNames(url, streams);
        var flvHost = $"127.0.0.1:{port + 2}";
        // Fleets time a set-up out and are closed at the end; their stall counting is not used here.
        await using var rtmpFleet = new PlayerFleet(new PlayTarget(url, names, false, new PlayContext(new IPEndPoint(IPAddress.Loopback, port), 16384), flvHost, true),
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await using var flvFleet = new PlayerFleet(new PlayTarget(url, names, true, new PlayContext(new IPEndPoint(IPAddress.Loopback, port + 2), 16384), flvHost, true),
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

        var clock = Stopwatch.GetTimestamp();
        var utcAtClock = DateTime.UtcNow;
        var nodes = new List<UpgradedNode>();
        var rounds = new List<Upgrade>();
        var visits = new ConcurrentQueue<Visit>();
        var counters = new PublishCounters();
        var publisherErrors = new ConcurrentQueue<string>();
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var current = await UpgradedNode.StartAsync(node, conf, logDir);
        nodes.Add(current);
        var loads = new List<Task>();
        try
        {
            var stream = new SyntheticStream(profile);
            var published = names.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            for (var i = 0; i < streams; i++)
                loads.Add(PublishAsync(url.WithStream(names[i]), stream, counters, published[i], publisherErrors, stopLoad.Token));
            await Task.WhenAll(published.Select(p => p.Task)).WaitAsync(StreamPublisher.SetupLimit, ct);

            long joined = 0;
            for (var slot = 0; slot < players; slot++)
            {
                // Arrivals spread over the first 2 s, then each slot replaces its viewer when it leaves.
                var rampIn = TimeSpan.FromMilliseconds(2000.0 * slot / players);
                loads.Add(ViewAsync(rampIn));
            }

            async Task ViewAsync(TimeSpan rampIn)
            {
                try { await Task.Delay(rampIn, stopLoad.Token); }
                catch (OperationCanceledException) { return; }
                while (!stopLoad.IsCancellationRequested)
                {
                    var n = (int)Interlocked.Increment(ref joined) - 1;
                    // n mod K is the stream; RTMP and HTTP-FLV take turns over each round of the streams.
                    var fleet = n / streams % 2 == 0 ? rtmpFleet : flvFleet;
                    var player = fleet.Start(n);
                    var lifetime = lifeMin + (lifeMax - lifeMin) * Random.Shared.NextDouble();
                    await Task.WhenAny(player.Ended, Task.Delay(lifetime, stopLoad.Token));
                    var left = Stopwatch.GetTimestamp();
                    var s = player.Stats;
                    var (gap, gapEnd) = s.LongestPictureGapAt(left);
                    player.Close();
                    await player.Ended;
                    var age = Stopwatch.GetElapsedTime(s.ConnectStarted, left);
                    var refused = s.Error is not null && s.FailedToStart ? s.Error : null;
                    var cut = s.Error is not null && !s.FailedToStart ? s.Error : null;
                    var noFrame = refused is null && (s.TimeToFirstFrameMs is { } ttff ? ttff > firstFrame.TotalMilliseconds : cut is null && age >= firstFrame);
                    visits.Enqueue(new Visit(fleet.Target.Protocol, s.Stream, s.LocalPort, s.ConnectStarted, left, refused, noFrame, cut, gap, gapEnd));
                    fleet.Prune();
                    if (refused is not null) await Task.Delay(250, CancellationToken.None); // no tight loop against a refusing server
                }
            }

            for (var r = 1; r <= upgrades; r++)
            {
                var due = TimeSpan.FromTicks(every.Ticks * r) - Stopwatch.GetElapsedTime(clock);
                if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                var next = await UpgradedNode.StartAsync(node, conf, logDir);
                nodes.Add(next);
                var old = current;
                var quitAt = Stopwatch.GetTimestamp();
                old.Quit();
                rounds.Add(new Upgrade(r, old.Pid, next.Pid, next.StartKind, next.TookOver, quitAt, ExitAsync(old, quitAt), MachineLoad.LoadAverages()));
                current = next;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                    $"  upgrade {r}: {old.Pid} -> {next.Pid} ({next.StartKind} {next.TookOver.TotalMilliseconds:0} ms after its start); ") +
                    Progress(visits, rtmpFleet, flvFleet, nodes, counters));
            }

            // The last old processes drain under the same load, as the others did.
            await Task.WhenAny(Task.WhenAll(rounds.Select(u => u.Exited)), Task.Delay(exitWait, ct));
            Console.WriteLine("  after the last upgrade: " + Progress(visits, rtmpFleet, flvFleet, nodes, counters));
        }
        finally
        {
            stopLoad.Cancel();
            await Task.WhenAll(loads);
        }

        var stillRunning = rounds.Where(u => !u.Exited.IsCompleted).Select(u => u.OldPid).ToList();
        foreach (var n in nodes) n.Runner.Terminate();
        foreach (var n in nodes)
        {
            await n.WaitForExitAsync(TimeSpan.FromSeconds(15));
            await n.DisposeAsync();
        }
        File.Delete(conf);

        Report(visits.ToArray(), rounds, counters, publisherErrors.ToArray(), stillRunning, firstFrame, clock, utcAtClock, players, streams, upgrades, every);
        return 0;
    }

    /// <summary>One looping publisher: publishes until the load stops; a publish that ends with an error is counted and started again.</summary>
    private static async Task PublishAsync(RtmpUrl url, SyntheticStream stream, PublishCounters counters, TaskCompletionSource published,
        ConcurrentQueue<string> errors, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var outcome = await StreamPublisher.RunAsync(url, stream, TimeSpan.FromHours(1), counters, CancellationToken.None, _ => published.TrySetResult(), stop);
            if (outcome.Ok || stop.IsCancellationRequested) return;
            errors.Enqueue($"{url.Stream} {DateTime.UtcNow:HH:mm:ss.fff} UTC: {outcome.Error}");
            await Task.Delay(500, CancellationToken.None);
        }
    }

    /// <summary>How long after its SIGQUIT the old process exited; null when it did not within 15 minutes.</summary>
    private static async Task<TimeSpan?> ExitAsync(UpgradedNode old, long quitAt) =>
        await old.WaitForExitAsync(TimeSpan.FromMinutes(15)) ? Stopwatch.GetElapsedTime(quitAt) : null;

    private static string Progress(IReadOnlyCollection<Visit> visits, PlayerFleet rtmp, PlayerFleet flv, List<UpgradedNode> nodes, PublishCounters counters)
    {
        var connected = rtmp.Players.Concat(flv.Players).Count(p => p.Stats.Playing);
        var v = visits.ToArray();
        return string.Create(CultureInfo.InvariantCulture, 
            $"{connected} viewers playing, {nodes.Count(n => !n.Runner.HasExited)} processes running; so far {v.Length} visits ended: " +
            $"{v.Count(x => x.Refused is not null)} refused, {v.Count(x => x.NoFirstFrame)} no first frame, {v.Count(x => x.Cut is not null)} cut, " +
            $"longest gap {(v.Length == 0 ? 0 : v.Max(x => x.LongestGap.TotalMilliseconds)):0} ms; publisher moves {counters.Moves} " +
            $"(failed {counters.FailedMoves}); load average {MachineLoad.LoadAverages()}");
    }

    private static void Report(Visit[] visits, List<Upgrade> rounds, PublishCounters counters, string[] publisherErrors, List<int> stillRunning,
        TimeSpan firstFrame, long clock, DateTime utcAtClock, int players, int streams, int upgrades, TimeSpan every)
    {
        string Utc(long ticks) => (utcAtClock + Stopwatch.GetElapsedTime(clock, ticks)).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        // Each event in the upgrade whose window it fell in: from that upgrade's SIGQUIT to the next one's (0: before the first).
        int RoundOf(long ticks) => rounds.Count(u => u.QuitAt <= ticks);

        Console.WriteLine();
        var table = new Table("upgrade", "old -> new pid", "new process", "took over ms", "old exited s", "visits ended", "refused", "no 1st frame", "cut", "longest gap ms", "load avg");
        for (var r = 0; r <= rounds.Count; r++)
        {
            var u = r == 0 ? null : rounds[r - 1];
            var ended = visits.Where(v => RoundOf(v.Left) == r).ToArray();
            var gaps = visits.Where(v => v.GapEnd != 0 && RoundOf(v.GapEnd) == r).Select(v => v.LongestGap.TotalMilliseconds).DefaultIfEmpty(0).Max();
            table.Add(r == 0 ? "before" : r.ToString(CultureInfo.InvariantCulture),
                u is null ? "-" : $"{u.OldPid} -> {u.NewPid}", u?.Start ?? "-", u is null ? "-" : u.TookOver.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
                u is null ? "-" : u.Exited is { IsCompletedSuccessfully: true, Result: { } e } ? e.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "running",
                ended.Length, visits.Count(v => v.Refused is not null && RoundOf(v.Joined) == r), visits.Count(v => v.NoFirstFrame && RoundOf(v.Joined) == r),
                ended.Count(v => v.Cut is not null), gaps, u?.Load ?? "-");
        }
        Console.Write(table);

        var played = visits.Where(v => v.Refused is null).ToArray();
        var gapsMs = Percentiles.Sorted(played.Where(v => v.GapEnd != 0).Select(v => v.LongestGap.TotalMilliseconds));
        var refused = visits.Count(v => v.Refused is not null);
        var noFrame = visits.Count(v => v.NoFirstFrame);
        var cut = visits.Count(v => v.Cut is not null);
        var longest = gapsMs.Length == 0 ? 0 : gapsMs[^1];
        var p99 = gapsMs.Length == 0 ? 0 : Percentiles.Of(gapsMs, 99);
        var exits = Percentiles.Sorted(rounds.Where(u => u.Exited.IsCompletedSuccessfully && u.Exited.Result is not null).Select(u => u.Exited.Result!.Value.TotalSeconds));

        Console.WriteLine();
        Console.WriteLine($"viewers: {visits.Length} visits ({visits.Count(v => v.Protocol == "rtmp")} RTMP, {visits.Count(v => v.Protocol == "flv")} HTTP-FLV), " +
                          $"{refused} refused, {noFrame} without a video picture within {firstFrame.TotalSeconds:0.#} s, {cut} cut by the server");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
            $"longest gap between two video pictures (wall clock, a gap still open when the viewer left included): {longest:0} ms; per viewer p50 {Percentiles.Of(gapsMs, 50):0} ms, p99 {p99:0} ms"));
        Console.WriteLine($"publishers: {counters.Moves} moves done, {counters.FailedMoves} failed, {publisherErrors.Length} publishes ended by an error");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
            $"old processes: exited {(exits.Length == 0 ? "-" : $"{exits[0]:0.0}-{exits[^1]:0.0} s (median {Percentiles.Of(exits, 50):0.0} s)")} after their SIGQUIT; " +
            $"{stillRunning.Count} still running at the end{(stillRunning.Count == 0 ? "" : " (" + string.Join(", ", stillRunning) + "), stopped with SIGTERM")}"));
        foreach (var e in publisherErrors.Take(10)) Console.WriteLine("  publisher error: " + e);
        foreach (var g in visits.Where(v => v.Refused is not null).GroupBy(v => v.Refused).Take(5))
            Console.WriteLine($"  refused x{g.Count()}: {g.Key} (first at {Utc(g.Min(v => v.Joined))} UTC)");
        foreach (var g in visits.Where(v => v.Cut is not null).GroupBy(v => v.Cut).Take(5))
            Console.WriteLine($"  cut x{g.Count()}: {g.Key} (first at {Utc(g.Min(v => v.Left))} UTC)");
        // The worst viewers, with what finds them in the node logs (their own port is the client's in "client N (127.0.0.1:PORT)").
        foreach (var v in played.Where(v => v.GapEnd != 0).OrderByDescending(v => v.LongestGap).Take(5))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
                $"  gap {v.LongestGap.TotalMilliseconds:0} ms ending {Utc(v.GapEnd)} UTC: {v.Protocol} viewer of {v.Stream} from port {v.Port}, joined {Utc(v.Joined)}, left {Utc(v.Left)}{(v.Cut is null ? "" : ", cut: " + v.Cut)}"));
        foreach (var v in visits.Where(v => v.NoFirstFrame).Take(5))
            Console.WriteLine($"  no first frame: {v.Protocol} viewer of {v.Stream} from port {v.Port}, joined {Utc(v.Joined)} UTC");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
            $"RESULT mode=upgrade upgrades={rounds.Count}/{upgrades} every_s={every.TotalSeconds:0.#} players={players} publishers={streams} visits={visits.Length} " +
            $"refused={refused} no_first_frame={noFrame} cut={cut} longest_gap_ms={longest:0} gap_p99_ms={p99:0} moves={counters.Moves} failed_moves={counters.FailedMoves} " +
            $"publisher_errors={publisherErrors.Length} old_exit_s_max={(exits.Length == 0 ? double.NaN : exits[^1]):0.0} still_running={stillRunning.Count} loadavg={MachineLoad.LoadAverage()}"));
    }

    /// <summary>"5s-20s": a lifetime range.</summary>
    private static (TimeSpan Min, TimeSpan Max) Range(string text)
    {
        var dash = text.IndexOf('-');
        var min = dash > 0 ? BenchArgs.ParseDuration(text[..dash]) : null;
        var max = dash > 0 ? BenchArgs.ParseDuration(text[(dash + 1)..]) : null;
        if (min is null || max is null || max < min || min <= TimeSpan.Zero) throw new ArgumentException($"--lifetime: '{text}' is not MIN-MAX (5s-20s)");
        return (min.Value, max.Value);
    }
}

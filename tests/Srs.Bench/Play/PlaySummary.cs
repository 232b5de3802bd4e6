using System.Diagnostics;
using System.Globalization;
using System.Text;
using Srs.Bench.Media;
using Srs.Bench.Report;
using Srs.Bench.Server;

namespace Srs.Bench.Play;

/// <summary>The end of a play run: the players' table, the server's table, failures by reason, and the RESULT line.</summary>
public sealed class PlaySummary(
    string label, PlayTarget target, StreamProfile profile, MediaPlayer[] players, IReadOnlyList<StampedPublisher> publishers,
    LatencyHistogram latency, TimeSpan window, TimeSpan rampTime, ProbeSample idle, ProbeSample before, ProbeSample after, long? rssMax,
    double toolCpuPercent, double toolAllocMbPerSecond, long? fdLimit, long windowStart, IReadOnlyDictionary<string, double> busy)
{
    /// <summary>A player below this share of the stream's frame rate over the window is counted as slow.</summary>
    private const double FullRateShare = 0.96;

    public int Print()
    {
        var stats = players.Select(p => p.Stats).ToArray();
        var failedConnects = stats.Count(s => s.Error is not null && s.FailedToStart);
        var dropped = stats.Count(s => s.Error is not null && !s.FailedToStart);
        // Frame rate over the window, for players that were playing when it opened.
        var inWindow = stats.Where(s => s.PlayStarted != 0 && s.PlayStarted < windowStart).ToArray();
        var seconds = window.TotalSeconds;
        var fps = Percentiles.Sorted(inWindow.Select(s => (s.WindowEndFrames - s.WindowStartFrames) / seconds));
        var kbps = inWindow.Length == 0 ? double.NaN : inWindow.Average(s => (s.WindowEndBytes - s.WindowStartBytes) * 8 / seconds / 1000);
        var slow = fps.Count(f => f < FullRateShare * StreamProfile.DefaultFramesPerSecond);
        var stalledPlayers = stats.Count(s => s.Stalls > 0);
        var stalls = stats.Sum(s => (long)s.Stalls);
        var gaps = stats.Sum(s => s.SequenceGaps);
        var ttff = Percentiles.Sorted(stats.Select(s => s.TimeToFirstFrameMs).OfType<double>());
        var setup = Percentiles.Sorted(stats.Select(s => s.SetupMs).OfType<double>());
        var totalMbps = inWindow.Sum(s => (s.WindowEndBytes - s.WindowStartBytes)) * 8 / seconds / 1e6;
        var lateFrames = publishers.Sum(p => p.LateFrames);

        Console.WriteLine();
        Console.WriteLine(new Table("players", "playing", "failed", "dropped", "stalled", "stalls", "fps p50", "fps min", "slow",
                "kbps/player", "recv Mbps", "TTFF p50", "TTFF p99", "setup p50", "lat p50 ms", "lat p99 ms", "lat max ms", "gaps")
            .Add(players.Length, inWindow.Length, failedConnects, dropped, stalledPlayers, stalls, P(fps, 50), fps.Length == 0 ? double.NaN : fps[0], slow,
                kbps, totalMbps, P(ttff, 50), P(ttff, 99), P(setup, 50), latency.PercentileMs(50), latency.PercentileMs(99), latency.MaxMs, gaps));
        Console.WriteLine($"  playing = playing through the {seconds:0.#} s window; slow = under {FullRateShare * StreamProfile.DefaultFramesPerSecond:0.#} fps over it; " +
                          $"TTFF = TCP connect to the first keyframe; latency = publisher send to probe receive of {latency.Count} stamped frames in the window; " +
                          $"gaps = frames missing from a player's sequence; ramp took {rampTime.TotalSeconds:0.0} s");
        foreach (var s in inWindow.Where(s => s.WindowEndFrames - s.WindowStartFrames < FullRateShare * StreamProfile.DefaultFramesPerSecond * seconds)
                     .OrderBy(s => s.WindowEndFrames - s.WindowStartFrames).Take(3))
        {
            double Ago(long ticks) => ticks == 0 ? double.NaN : Stopwatch.GetElapsedTime(ticks).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  slow player {s.Index}: {s.WindowEndFrames - s.WindowStartFrames} frames in the window, {s.VideoFrames} in all, {s.Bytes} bytes, stalls {s.Stalls}; " +
                $"connected {Ago(s.ConnectStarted):0.0} s ago, first media {Ago(s.FirstMedia):0.0} s ago, last media {Ago(s.LastMedia):0.0} s ago{(s.Error is null ? "" : ", " + s.Error)}"));
        }
        foreach (var group in stats.Where(s => s.Error is not null).GroupBy(s => s.Error).OrderByDescending(g => g.Count()).Take(8))
            Console.WriteLine($"  failed x{group.Count()}: {group.Key} (e.g. player {group.First().Index})");
        foreach (var p in publishers.Where(p => p.Error is not null))
            Console.WriteLine($"  publisher {p.Url}: {p.Error}");
        if (lateFrames > 0) Console.WriteLine($"  publisher: {lateFrames} frames sent more than 20 ms late (the load tool's own pace)");

        var wall = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
        var cpu = after.Cpu - before.Cpu;
        var cpuPct = cpu is { } c ? c.TotalSeconds / wall * 100 : (double?)null;
        var allocRate = after.AllocatedBytes - before.AllocatedBytes is { } a ? a / wall / 1e6 : (double?)null;
        var gen0 = after.Gen0 - before.Gen0;
        var gen1 = after.Gen1 - before.Gen1;
        var gen2 = after.Gen2 - before.Gen2;
        Console.WriteLine();
        Console.WriteLine(new Table("server", "cpu s", "cpu % of a core", "rss MB", "rss max MB", "idle rss MB", "KB/player", "heap MB", "alloc MB/s", "gen0", "gen1", "gen2", "tool cpu %", "tool alloc MB/s")
            .Add(label, Show(cpu?.TotalSeconds), Show(cpuPct), Show(after.RssBytes / 1e6), Show(rssMax / 1e6), Show(idle.RssBytes / 1e6),
                Show((after.RssBytes - idle.RssBytes) / 1e3 / Math.Max(1, players.Length)), Show(after.HeapBytes / 1e6), Show(allocRate),
                Show(gen0), Show(gen1), Show(gen2), Show(toolCpuPercent), Show(toolAllocMbPerSecond)));
        Console.WriteLine("  idle rss = the server publishing, before any player; KB/player = (rss - idle rss) / players");
        Console.WriteLine("  cpu and GC over the window; tool cpu = this load tool over the same window (near 100% of its core: figures are bounded by the tool)");
        var load = MachineLoad.LoadAverage();
        Console.WriteLine($"  machine over the window: {string.Join(", ", busy.Select(b => FormattableString.Invariant($"{b.Key} {b.Value:0}% busy")))}; load average {load} " +
                          "(busy beyond the server's and the tool's shares is other work on the machine)");

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"RESULT mode=play label={label} protocol={target.Protocol} players={players.Length} streams={target.Streams.Length} ");
        sb.Append(CultureInfo.InvariantCulture, $"bitrate_kbps={profile.Kbps} window_s={seconds:0.##} playing={inWindow.Length} failed={failedConnects} dropped={dropped} ");
        sb.Append(CultureInfo.InvariantCulture, $"stalled_players={stalledPlayers} stalls={stalls} fps_p50={F(P(fps, 50))} fps_min={F(fps.Length == 0 ? double.NaN : fps[0])} slow_players={slow} ");
        sb.Append(CultureInfo.InvariantCulture, $"kbps_per_player={F(kbps)} recv_mbps={F(totalMbps)} seq_gaps={gaps} ");
        sb.Append(CultureInfo.InvariantCulture, $"ttff_p50_ms={F(P(ttff, 50))} ttff_p99_ms={F(P(ttff, 99))} setup_p50_ms={F(P(setup, 50))} setup_p99_ms={F(P(setup, 99))} ");
        sb.Append(CultureInfo.InvariantCulture, $"latency_p50_ms={F(latency.PercentileMs(50))} latency_p99_ms={F(latency.PercentileMs(99))} latency_max_ms={F(latency.MaxMs)} latency_samples={latency.Count} ");
        sb.Append(CultureInfo.InvariantCulture, $"server_cpu_s={Show(cpu?.TotalSeconds)} server_cpu_pct={Show(cpuPct)} server_rss_bytes={after.RssBytes?.ToString(CultureInfo.InvariantCulture) ?? "na"} ");
        sb.Append(CultureInfo.InvariantCulture, $"server_rss_max_bytes={rssMax?.ToString(CultureInfo.InvariantCulture) ?? "na"} server_rss_idle_bytes={idle.RssBytes?.ToString(CultureInfo.InvariantCulture) ?? "na"} server_heap_bytes={Show(after.HeapBytes, "0")} ");
        sb.Append(CultureInfo.InvariantCulture, $"server_alloc_mb_s={Show(allocRate)} server_gen0={Show(gen0)} server_gen1={Show(gen1)} server_gen2={Show(gen2)} ");
        sb.Append(CultureInfo.InvariantCulture, $"tool_cpu_pct={Show(toolCpuPercent)} tool_alloc_mb_s={Show(toolAllocMbPerSecond)} probe_every={target.Context.ProbeEvery} batch_bytes={target.Context.BatchBytes} publisher_late_frames={lateFrames} {string.Join(" ", busy.Select(b => FormattableString.Invariant($"{b.Key}_busy_pct={b.Value:0}")))} loadavg={MachineLoad.LoadAverage()} fd_limit={fdLimit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}");
        Console.WriteLine(sb.ToString());
        return failedConnects + dropped == 0 && stalledPlayers == 0 && publishers.All(p => p.Error is null) ? 0 : 1;
    }

    private static double P(double[] sorted, double percentile) => Percentiles.Of(sorted, percentile);

    private static string F(double value) => double.IsNaN(value) ? "na" : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Show(double? value, string format = "0.##") =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "na";
}

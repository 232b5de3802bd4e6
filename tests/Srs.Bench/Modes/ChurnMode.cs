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
/// <c>churn</c>: players connect, play for a while and disconnect, at a steady rate, for leaks:
/// every so often it prints the server's RSS, its managed heap (after a forced full GC when the
/// node's debug endpoint is on) and its connection count, and at the end what grew.
/// </summary>
public static class ChurnMode
{
    public const string Usage = """
          churn        players connect, play and leave at a rate; server RSS and heap over time, for leaks
            --url URL           rtmp://host:port/app/name (published by the tool)  [rtmp://127.0.0.1:1935/live/churn]
            --protocol P        rtmp or flv  [rtmp]
            --flv HOST:PORT     HTTP-FLV server  [127.0.0.1:8080]
            --rate R            new players per second  [20]
            --hold T            each plays this long after Play.Start, then disconnects  [2s]
            --close C           abrupt (socket closed) or mixed (every other RTMP player sends deleteStream first)  [abrupt]
            --duration T        how long new players keep coming  [60s]
            --every T           a sample row this often  [10s]
            --streams K         [1]
            --bitrate KBPS      [1000]
            --gop FRAMES        [50]
            --setup-timeout T   [10s]
            --handshake H       digest or simple  [digest]
            --api URL           the node's HTTP API (/metrics; POST /api/v1/debug/gc when srs.http-api.debug = on)  [none]
            --server-pid P[,P]  CPU and RSS from /proc  [none]
            --gc on|off|auto    force a full GC on the node before each heap sample (auto: if the endpoint answers)  [auto]
            --settle T          after the last player left, before the final sample  [5s]
            --label NAME        [server]
        """;

    private sealed record Row(string Label, TimeSpan Elapsed, long Started, long Finished, long Failed, int Active, double? Connections,
        long? RssBytes, double? HeapBytes, bool HeapAfterGc, double? CpuPercent, double TtffP50);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var options = PlayerOptions.Parse(args, "rtmp://127.0.0.1:1935/live/churn");
        var rate = args.Int("rate", 20);
        var hold = args.Duration("hold", TimeSpan.FromSeconds(2));
        var close = args.Choice("close", "abrupt", "mixed");
        var duration = args.Duration("duration", TimeSpan.FromSeconds(60));
        var every = args.Duration("every", TimeSpan.FromSeconds(10));
        var gcMode = args.Choice("gc", "auto", "on", "off");
        var settle = args.Duration("settle", TimeSpan.FromSeconds(5));
        var label = args.String("label", "server");
        using var probe = ServerProbe.Parse(args.OptionalString("server-pid"), args.OptionalString("api"));
        args.ThrowOnUnknown();

        var (protocol, profile) = (options.Protocol, options.Profile);
        var target = await options.TargetAsync(16384);
        var stream = new SyntheticStream(profile, stamped: true);
        var forceGc = gcMode != "off" && probe.Api is not null;

        Console.WriteLine($"churn: {rate} {protocol} players/s for {duration.TotalSeconds:0.#} s, each playing {hold.TotalSeconds:0.#} s then leaving ({close}), " +
                          $"on {target.Describe(target.Streams[0])}; a row every {every.TotalSeconds:0.#} s");

        var clock = Stopwatch.StartNew();
        await using var fleet = new PlayerFleet(target, options.SetupTimeout, TimeSpan.FromSeconds(3));
        await fleet.PublishAsync(stream);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);

        long started = 0, finished = 0, failed = 0;
        var ttffs = new List<double>();
        var rows = new List<Row>();
        TimeSpan? lastCpu = null;
        var lastCpuAt = Stopwatch.GetTimestamp();
        var ttffFrom = 0;

        async Task<Row> SampleAsync(string rowLabel)
        {
            double? heap = null;
            long? gcRss = null;
            var afterGc = false;
            if (forceGc)
            {
                try
                {
                    var (h, r) = await probe.Api!.ForceGcAsync(ct);
                    (heap, gcRss, afterGc) = (h, r, true);
                }
                catch (HttpRequestException e)
                {
                    if (gcMode == "on") throw;
                    Console.WriteLine($"  (no forced GC: {e.Message}; heap figures are without a full GC)");
                    forceGc = false;
                }
            }
            var s = await probe.TakeAsync(ct);
            var now = Stopwatch.GetTimestamp();
            double? cpuPct = s.Cpu is { } c && lastCpu is { } c0 ? (c - c0).TotalSeconds / Stopwatch.GetElapsedTime(lastCpuAt, now).TotalSeconds * 100 : null;
            (lastCpu, lastCpuAt) = (s.Cpu, now);
            double ttffP50;
            lock (ttffs)
            {
                ttffP50 = Percentiles.Of(Percentiles.Sorted(ttffs.Skip(ttffFrom)), 50);
                ttffFrom = ttffs.Count;
            }
            var active = fleet.Players.Count(p => !p.Stats.Ended);
            var row = new Row(rowLabel, clock.Elapsed, Interlocked.Read(ref started), Interlocked.Read(ref finished), Interlocked.Read(ref failed),
                active, s.Connections, s.RssBytes ?? gcRss, heap ?? s.HeapBytes, afterGc, cpuPct, ttffP50);
            rows.Add(row);
            return row;
        }

        async Task OneAsync(int index)
        {
            var player = fleet.Start(index);
            Interlocked.Increment(ref started);
            if (await player.Started)
            {
                await Task.Delay(hold, CancellationToken.None);
                if (player is RtmpPlayer rtmp && close == "mixed" && index % 2 == 1) await rtmp.DeleteStreamAsync();
                player.Close();
            }
            while (!player.Stats.Ended) await Task.Delay(50, CancellationToken.None);
            if (player.Stats.Error is not null) Interlocked.Increment(ref failed);
            else Interlocked.Increment(ref finished);
            if (player.Stats.TimeToFirstFrameMs is { } t) lock (ttffs) ttffs.Add(t);
        }

        Console.WriteLine(Header());
        Console.WriteLine(Line(await SampleAsync("start")));
        var sessions = new List<Task>();
        var churnClock = Stopwatch.StartNew();
        var nextSample = every;
        for (var i = 0; churnClock.Elapsed < duration; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - churnClock.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, ct);
            sessions.Add(OneAsync(i));
            if (churnClock.Elapsed >= nextSample)
            {
                nextSample += every;
                fleet.Prune();
                sessions.RemoveAll(t => t.IsCompleted);
                Console.WriteLine(Line(await SampleAsync(churnClock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture))));
            }
        }
        await Task.WhenAll(sessions);
        await Task.Delay(settle, ct);
        fleet.Prune();
        var final = await SampleAsync("settled");
        Console.WriteLine(Line(final));
        await fleet.DisposeAsync();

        // What grew: the settled state against the first sample taken under load (warm-up excluded).
        var first = rows.Count > 2 ? rows[1] : rows[0];
        Console.WriteLine();
        var ok = failed == 0;
        var heapGrowth = final.HeapBytes - first.HeapBytes;
        var rssGrowth = final.RssBytes - first.RssBytes;
        var sessionsAfterFirst = Math.Max(1, final.Started - first.Started);
        Console.WriteLine(new Table("", "first row (" + first.Label + ")", "settled", "difference", "per session")
            .Add(first.HeapAfterGc ? "heap after full GC" : "heap (no forced GC)", Mb(first.HeapBytes), Mb(final.HeapBytes), Mb(heapGrowth), Bytes(heapGrowth / sessionsAfterFirst))
            .Add("RSS", Mb(first.RssBytes), Mb(final.RssBytes), Mb(rssGrowth), Bytes(rssGrowth / (double)sessionsAfterFirst)));
        Console.WriteLine($"sessions: {started} started, {finished} ended cleanly, {failed} failed; server connections at the end: {final.Connections?.ToString(CultureInfo.InvariantCulture) ?? "na"} (the publishers stay)");
        foreach (var group in fleet.Players.Select(p => p.Stats).Where(s => s.Error is not null).GroupBy(s => s.Error).Take(5))
            Console.WriteLine($"  failed x{group.Count()}: {group.Key}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT mode=churn label={label} protocol={protocol} rate={rate} hold_s={hold.TotalSeconds:0.###} duration_s={duration.TotalSeconds:0.###} " +
            $"started={started} finished={finished} failed={failed} connections_end={N(final.Connections)} " +
            $"heap_first_bytes={N(first.HeapBytes)} heap_final_bytes={N(final.HeapBytes)} heap_after_gc={(final.HeapAfterGc ? "yes" : "no")} " +
            $"rss_first_bytes={N(first.RssBytes)} rss_final_bytes={N(final.RssBytes)} heap_bytes_per_session={N(heapGrowth / sessionsAfterFirst)} " +
            $"rss_bytes_per_session={N(rssGrowth / (double)sessionsAfterFirst)} ttff_p50_ms={N(Percentiles.Of(Percentiles.Sorted(ttffs), 50))}"));
        return ok ? 0 : 1;
    }

    private static string Header() =>
        $"{"t s",8}  {"started",8}  {"ended",8}  {"failed",6}  {"active",6}  {"conns",6}  {"RSS MB",8}  {"heap MB",8}  {"cpu %",6}  {"TTFF p50",8}\n" +
        $"{new string('-', 8)}  {new string('-', 8)}  {new string('-', 8)}  {new string('-', 6)}  {new string('-', 6)}  {new string('-', 6)}  {new string('-', 8)}  {new string('-', 8)}  {new string('-', 6)}  {new string('-', 8)}";

    private static string Line(Row r) => FormattableString.Invariant(
        $"{r.Label,8}  {r.Started,8}  {r.Finished,8}  {r.Failed,6}  {r.Active,6}  {N(r.Connections),6}  {r.RssBytes / 1e6,8:0.0}  {(r.HeapBytes / 1e6)?.ToString(r.HeapAfterGc ? "0.00" : "0.00*", CultureInfo.InvariantCulture),8}  {N(r.CpuPercent),6}  {N(r.TtffP50),8}");

    private static string N(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.#", CultureInfo.InvariantCulture) : "na";

    private static string Mb(double? bytes) => bytes is { } b ? FormattableString.Invariant($"{b / 1e6:0.00} MB") : "na";

    private static string Bytes(double? bytes) => bytes is { } b ? FormattableString.Invariant($"{b:0.#} B") : "na";
}

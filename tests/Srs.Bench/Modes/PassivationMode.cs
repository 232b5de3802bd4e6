using System.Globalization;
using System.Diagnostics;
using System.Threading.Channels;
using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Bench.Report;
using Srs.Bench.Rtmp;
using Srs.Bench.Server;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>passivation</c>: publishes many distinct short streams, a fixed number at a time,
/// and every so many streams prints the live source count, the server's RSS and its managed heap
/// after a forced full GC (POST /api/v1/debug/gc). By default (--settle-each on) it publishes in
/// batches and samples once a batch's sources have passivated, so every sample is of an idle node
/// and differences are what passivated streams left behind. At the end it waits until every
/// source has passivated (live count 0) and prints the figure that matters: heap after the run
/// minus heap after the first report, in total and per stream.
/// </summary>
public static class PassivationMode
{
    public const string Usage = """
          passivation  many short-lived streams against a running node; memory must not grow with their number
            --url URL           rtmp://host:port/app/prefix; streams are prefix-0..prefix-(N-1)  [rtmp://127.0.0.1:1935/live/pass-RANDOM]
            --api URL           the node's HTTP API (needs POST /api/v1/debug/gc)  [http://127.0.0.1:1985]
            --streams N         distinct streams to publish  [10000]
            --concurrency C     publishing at once  [50]
            --stream-duration T how long each stream publishes  [1s]
            --every K           report every K streams  [1000]
            --bitrate KBPS      bitrate of each stream  [1000]
            --gop FRAMES        keyframe interval in frames  [50]
            --settle-timeout T  at most this long to wait for the live count to reach 0  [120s]
            --settle-each on|off  on: publish in batches of K and sample once the batch's sources have passivated,
                                so every report is of an idle node; off: sample while publishing goes on  [on]
        """;

    private sealed record Row(string Label, long Streams, TimeSpan Elapsed, long Failed, int Live, long RssBytes, long HeapBytes,
        double Created, double Passivated);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var url = RtmpUrl.Parse(args.String("url", $"rtmp://127.0.0.1:1935/live/pass-{Random.Shared.Next(0x10000):x4}"));
        using var api = new NodeApi(new Uri(args.String("api", "http://127.0.0.1:1985")));
        var streams = args.Int("streams", 10_000);
        var concurrency = args.Int("concurrency", 50);
        var streamDuration = args.Duration("stream-duration", TimeSpan.FromSeconds(1));
        var every = args.Int("every", 1000);
        var profile = new StreamProfile(args.Int("bitrate", 1000), args.Int("gop", 50));
        var settleTimeout = args.Duration("settle-timeout", TimeSpan.FromSeconds(120));
        var settleEach = args.Switch("settle-each", true);
        args.ThrowOnUnknown();
        if (every > streams) every = streams;

        var stream = new SyntheticStream(profile);
        Console.WriteLine($"passivation: {streams} streams of {streamDuration.TotalSeconds:0.###} s, {concurrency} at a time, " +
                          $"to {url.WithStream(url.Stream + "-N")}; report every {every}{(settleEach ? " after the batch passivated" : "")}; API {api}");
        Console.WriteLine($"stream:      {stream.Describe()}");

        var clock = Stopwatch.StartNew();
        var counters = new PublishCounters();
        var rows = new List<Row>();
        var table = Header();
        Console.WriteLine(table);

        async Task<Row> SampleAsync(string label, long done)
        {
            var live = await api.LiveStreamsAsync(ct);
            var (heap, rss) = await api.ForceGcAsync(ct);
            var metrics = await api.MetricsAsync(ct);
            var row = new Row(label, done, clock.Elapsed, counters.Failed, live, rss, heap,
                metrics.GetValueOrDefault("srs_sources_created_total"), metrics.GetValueOrDefault("srs_sources_passivated_total"));
            rows.Add(row);
            return row;
        }

        var baseline = await SampleAsync("start", 0);
        Console.WriteLine(Line(baseline));

        long next = 0;
        long completed = 0;
        var failures = new List<PublishOutcome>();
        var progress = new ConsoleProgress(() =>
            $"  {clock.Elapsed.TotalSeconds,6:0.0}s  started {Math.Min(Volatile.Read(ref next), streams)}  done {counters.Finished}  failed {counters.Failed}  publishing {counters.Active}",
            TimeSpan.FromSeconds(30));

        // Publishes streams [next, end) with `concurrency` workers; onDone sees each completion count.
        async Task PublishUpToAsync(long end, Action<long> onDone)
        {
            var workers = Enumerable.Range(0, (int)Math.Min(concurrency, end - Volatile.Read(ref next))).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var i = Interlocked.Increment(ref next) - 1;
                    if (i >= end)
                    {
                        Interlocked.Decrement(ref next);
                        return;
                    }
                    var outcome = await StreamPublisher.RunAsync(url.WithStream($"{url.Stream}-{i}"), stream, streamDuration, counters, ct);
                    if (!outcome.Ok) lock (failures) failures.Add(outcome);
                    onDone(Interlocked.Increment(ref completed));
                }
            }, ct)).ToArray();
            await Task.WhenAll(workers);
        }

        // Waits until every source has reached its idle timeout and stopped (or the timeout).
        async Task<(int Live, TimeSpan Waited)> SettleAsync()
        {
            var waited = Stopwatch.StartNew();
            int live;
            while ((live = await api.LiveStreamsAsync(ct)) > 0 && waited.Elapsed < settleTimeout)
                await Task.Delay(100, ct);
            return (live, waited.Elapsed);
        }

        if (settleEach)
        {
            // Each report after its batch has passivated: every sample is of the same, idle, state.
            for (long end = every; ; end = Math.Min(streams, end + every))
            {
                await PublishUpToAsync(end, _ => { });
                await SettleAsync();
                progress.Print(Line(await SampleAsync(end.ToString(), end)));
                if (end == streams) break;
            }
        }
        else
        {
            // Reports are taken one at a time, in order, while publishing goes on.
            var milestones = Channel.CreateUnbounded<long>();
            var reporter = Task.Run(async () =>
            {
                await foreach (var done in milestones.Reader.ReadAllAsync(ct))
                    progress.Print(Line(await SampleAsync(done.ToString(), done)));
            }, ct);
            await PublishUpToAsync(streams, done =>
            {
                if (done % every == 0 || done == streams) milestones.Writer.TryWrite(done);
            });
            milestones.Writer.Complete();
            await reporter;
        }

        var publishing = clock.Elapsed;
        await progress.DisposeAsync();

        // Let every source reach its idle timeout and stop.
        var (live, settleTime) = await SettleAsync();
        var settled = await SampleAsync("settled", streams);
        Console.WriteLine(Line(settled));
        Console.WriteLine();
        Console.WriteLine($"all {streams} streams published in {publishing.TotalSeconds:0.0} s; live count reached {live} after {settleTime.TotalSeconds:0.0} s more");

        foreach (var group in failures.GroupBy(o => o.Error).OrderByDescending(g => g.Count()))
            Console.WriteLine($"  failed x{group.Count()}: {group.Key} (e.g. {group.First().Stream})");

        // The figure that matters: heap after the run minus heap after the first report.
        var first = rows.First(r => r.Streams > 0);
        var growth = settled.HeapBytes - first.HeapBytes;
        var perStream = streams > first.Streams ? (double)growth / (streams - first.Streams) : double.NaN;
        var rssGrowth = settled.RssBytes - first.RssBytes;
        Console.WriteLine(new Table("", "after " + first.Streams, "after " + streams + " (settled)", "difference", "per stream")
            .Add("managed heap after full GC", Mb(first.HeapBytes), Mb(settled.HeapBytes), Mb(growth), FormattableString.Invariant($"{perStream:0.#} B"))
            .Add("RSS", Mb(first.RssBytes), Mb(settled.RssBytes), Mb(rssGrowth),
                FormattableString.Invariant($"{(streams > first.Streams ? (double)rssGrowth / (streams - first.Streams) : double.NaN):0.#} B")));
        Console.WriteLine($"baseline before the run: heap {Mb(baseline.HeapBytes)}, RSS {Mb(baseline.RssBytes)}; " +
                          $"sources created {settled.Created - baseline.Created:0}, passivated {settled.Passivated - baseline.Passivated:0}");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
            $"RESULT mode=passivation streams={streams} concurrency={concurrency} stream_s={streamDuration.TotalSeconds:0.###} bitrate_kbps={profile.Kbps} " +
            $"failed={failures.Count} publish_s={publishing.TotalSeconds:0.#} settle_s={settleTime.TotalSeconds:0.#} settle_each={(settleEach ? "on" : "off")} live_after={live} " +
            $"heap_start_bytes={baseline.HeapBytes} heap_first_bytes={first.HeapBytes} heap_final_bytes={settled.HeapBytes} heap_growth_bytes={growth} " +
            $"heap_bytes_per_stream={perStream:0.#} rss_first_bytes={first.RssBytes} rss_final_bytes={settled.RssBytes} " +
            $"sources_created={settled.Created - baseline.Created:0} sources_passivated={settled.Passivated - baseline.Passivated:0}"));
        return failures.Count == 0 && live == 0 ? 0 : 1;
    }

    private static string Header() =>
        $"{"streams",8}  {"elapsed s",9}  {"failed",6}  {"live",5}  {"RSS MB",8}  {"heap MB",8}  {"created",8}  {"passivated",10}\n" +
        $"{new string('-', 8)}  {new string('-', 9)}  {new string('-', 6)}  {new string('-', 5)}  {new string('-', 8)}  {new string('-', 8)}  {new string('-', 8)}  {new string('-', 10)}";

    private static string Line(Row r) => FormattableString.Invariant(
        $"{r.Label,8}  {r.Elapsed.TotalSeconds,9:0.0}  {r.Failed,6}  {r.Live,5}  {r.RssBytes / 1e6,8:0.0}  {r.HeapBytes / 1e6,8:0.00}  {r.Created,8:0}  {r.Passivated,10:0}");

    private static string Mb(long bytes) => FormattableString.Invariant($"{bytes / 1e6:0.00} MB");
}

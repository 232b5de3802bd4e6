using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Cli;
using Srs.Bench.Media;
using Srs.Bench.Report;
using Srs.Bench.Rtmp;
using Srs.Bench.Server;
using Srs.Protocol.Rtmp.Client;

namespace Srs.Bench.Modes;

/// <summary>
/// <c>publish</c>: M publishers of the synthetic stream at a bitrate for a duration, to
/// rtmp://host:port/app/PREFIX-0 .. PREFIX-(M-1); progress, a summary table and a RESULT line.
/// With --api, the server's RSS, heap and CPU (from /metrics) are reported too; with --server-pid,
/// CPU from /proc instead.
/// </summary>
public static class PublishMode
{
    public const string Usage = """
          publish      M publishers of a generated H.264+AAC stream
            --url URL           rtmp://host:port/app/prefix; streams are prefix-0..prefix-(M-1)  [rtmp://127.0.0.1:1935/live/bench]
            --publishers M      [10]
            --bitrate KBPS      total bitrate of each stream  [1000]
            --duration T        how long each publishes (30s, 2m)  [30s]
            --gop FRAMES        keyframe interval in frames (25 fps)  [50]
            --ramp N            publishers started per second, 0 = all at once  [100]
            --api URL           the node's HTTP API, for server RSS/heap/CPU  [none]
            --server-pid PID    read server CPU from /proc/PID/stat  [none]
        """;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken ct)
    {
        var url = RtmpUrl.Parse(args.String("url", "rtmp://127.0.0.1:1935/live/bench"));
        var publishers = args.Int("publishers", 10);
        var profile = new StreamProfile(args.Int("bitrate", 1000), args.Int("gop", 50));
        var duration = args.Duration("duration", TimeSpan.FromSeconds(30));
        var ramp = args.Int("ramp", 100, min: 0);
        var api = args.OptionalString("api") is { } a ? new NodeApi(new Uri(a)) : null;
        var serverPid = args.OptionalString("server-pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        args.ThrowOnUnknown();

        var stream = new SyntheticStream(profile);
        Console.WriteLine($"publish: {publishers} publishers x {profile.Kbps} kbps for {duration.TotalSeconds:0.#} s to {url.WithStream(url.Stream + "-N")}");
        Console.WriteLine($"stream:  {stream.Describe()}");

        var before = await ServerSample.TakeAsync(api, serverPid, ct);
        var counters = new PublishCounters();
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task<PublishOutcome>>(publishers);
        await using (new ConsoleProgress(() =>
            $"  {clock.Elapsed.TotalSeconds,6:0.0}s  publishing {counters.Active}  done {counters.Finished}  failed {counters.Failed}  " +
            $"sent {counters.Bytes / 1e6:0.0} MB ({Kbps(counters.Bytes, clock.Elapsed):0} kbps)"))
        {
            for (var i = 0; i < publishers; i++)
            {
                if (ramp > 0 && i > 0)
                {
                    var due = TimeSpan.FromSeconds((double)i / ramp) - clock.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                }
                tasks.Add(StreamPublisher.RunAsync(url.WithStream($"{url.Stream}-{i}"), stream, duration, counters, ct));
            }
            await Task.WhenAll(tasks);
        }

        var elapsed = clock.Elapsed;
        var after = await ServerSample.TakeAsync(api, serverPid, ct);
        var outcomes = tasks.Select(t => t.Result).ToList();
        return Summarize(outcomes, profile, duration, elapsed, before, after);
    }

    private static int Summarize(List<PublishOutcome> outcomes, StreamProfile profile, TimeSpan duration, TimeSpan elapsed,
        ServerSample? before, ServerSample? after)
    {
        var ok = outcomes.Where(o => o.Ok).ToList();
        var setups = Percentiles.Sorted(outcomes.Where(o => o.Setup > TimeSpan.Zero).Select(o => o.Setup.TotalMilliseconds));
        var bytes = outcomes.Sum(o => o.Bytes);
        var frames = outcomes.Sum(o => o.Frames);
        var perPublisherKbps = ok.Count == 0 ? 0 : ok.Average(o => Kbps(o.Bytes, duration));

        Console.WriteLine();
        Console.WriteLine(new Table("publishers", "ok", "failed", "setup p50 ms", "setup p99 ms", "setup max ms", "frames", "sent MB", "kbps/publisher", "wall s")
            .Add(outcomes.Count, ok.Count, outcomes.Count - ok.Count, Percentiles.Of(setups, 50), Percentiles.Of(setups, 99),
                 setups.Length == 0 ? double.NaN : setups[^1], frames, bytes / 1e6, perPublisherKbps, elapsed.TotalSeconds));

        foreach (var group in outcomes.Where(o => !o.Ok).GroupBy(o => o.Error).OrderByDescending(g => g.Count()))
            Console.WriteLine($"  failed x{group.Count()}: {group.Key} (e.g. {group.First().Stream})");

        var server = ServerSample.Describe(before, after);
        if (server is not null) Console.WriteLine(server.Value.Table);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, 
            $"RESULT mode=publish publishers={outcomes.Count} ok={ok.Count} failed={outcomes.Count - ok.Count} bitrate_kbps={profile.Kbps} " +
            $"duration_s={duration.TotalSeconds:0.###} frames={frames} sent_bytes={bytes} kbps_per_publisher={perPublisherKbps:0.#} " +
            $"setup_p50_ms={Percentiles.Of(setups, 50):0.#} setup_p99_ms={Percentiles.Of(setups, 99):0.#} " +
            $"setup_max_ms={(setups.Length == 0 ? double.NaN : setups[^1]):0.#} wall_s={elapsed.TotalSeconds:0.##}{server?.Fields}"));
        return outcomes.Count == ok.Count ? 0 : 1;
    }

    private static double Kbps(long bytes, TimeSpan over) => over <= TimeSpan.Zero ? 0 : bytes * 8 / over.TotalMilliseconds;
}

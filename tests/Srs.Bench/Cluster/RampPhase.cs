using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Report;

namespace Srs.Bench.Cluster;

/// <summary>
/// <c>ramp</c>: --streams publishers started at --ramp per second on origin 0 (or spread over the
/// origins), held until the end of the run. Every --sample-th stream is played from an edge as
/// soon as the publisher has NetStream.Publish.Start: the time from then to its first video frame
/// from the edge is how soon a new stream is playable across the cluster. Before and after, every
/// node's live heap after a forced GC: the difference per stream is what a stream costs each node
/// (on an edge or an origin without publishers, that is the directory).
/// </summary>
public static class RampPhase
{
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(60);

    /// <param name="DelayMs">Publish.Start to the player's connect: the bench's own reaction time, part of <paramref name="Ms"/>.</param>
    private sealed record Sample(int Stream, string Edge, double DelayMs, double? Ms, string? Error);

    public static async Task<PhaseOutcome> RunAsync(ClusterRun run, CancellationToken ct)
    {
        var o = run.Options;
        var nodes = run.Cluster.Nodes;
        var edges = run.Cluster.Edges;
        var ports = run.PublishPorts;
        Console.WriteLine($"ramp: {o.Streams} streams at {o.Ramp}/s on {(o.Spread ? $"all {ports.Count} origins" : "origin-0")}; " +
                          (edges.Count == 0 ? "no edge to play samples from" : $"one stream in {o.SampleEvery} played from an edge right after its Publish.Start"));
        var heapBefore = await NodeMemory.ForceGcAsync(nodes, ct);

        var samples = new ConcurrentBag<Sample>();
        var sampling = new ConcurrentBag<Task>();
        var from = await run.Traffic.ReadAsync(ct);
        // Workers start in about a second; the first stream is due after that.
        var plan = new PublishPlan("ramp", o.Streams, o.Ramp, TimeSpan.Zero, ports, o.Spread, 0, o.Profile,
            Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var workers = PublisherWorkers.Start(plan, run.WorkersFor(o.Streams), (i, publishedAt) =>
        {
            if (edges.Count == 0 || i % o.SampleEvery != 0) return;
            var edge = edges[i / o.SampleEvery % edges.Count];
            sampling.Add(Task.Run(async () =>
            {
                var delay = Stopwatch.GetElapsedTime(publishedAt).TotalMilliseconds;
                var (at, error) = await EdgeFirstFrame.PlayAsync(edge.Url(plan.Stream(i)), o.SampleTimeout, ct);
                samples.Add(new Sample(i, edge.Name, delay, error is null ? Stopwatch.GetElapsedTime(publishedAt, at).TotalMilliseconds : null, error));
            }, CancellationToken.None));
        });
        run.Held.Add(workers);

        var settled = true;
        var elapsed = double.NaN;
        await using (new ConsoleProgress(() =>
            $"  {clock.Elapsed.TotalSeconds,6:0.0}s  published {workers.Started}/{o.Streams}  failed {workers.Failed}  dropped {workers.Dropped}  " +
            $"samples {samples.Count(s => s.Ms is not null)} played, {samples.Count(s => s.Ms is null)} failed"))
        {
            var bound = TimeSpan.FromSeconds(2 + (double)o.Streams / o.Ramp) + SettleBound;
            try { await workers.AllSettled.WaitAsync(bound, ct); }
            catch (TimeoutException) { settled = false; }
            elapsed = clock.Elapsed.TotalSeconds - 2;
            await Task.WhenAll(sampling);
        }
        var to = await run.Traffic.ReadAsync(ct);

        // The edges' sample sources must be gone before the second GC, or they count as directory memory.
        await WaitEdgesIdleAsync(edges, ct);
        var heapAfter = await NodeMemory.ForceGcAsync(nodes, ct);

        var started = workers.Started;
        var played = Percentiles.Sorted(samples.Where(s => s.Ms is not null).Select(s => s.Ms!.Value));
        var failedSamples = samples.Where(s => s.Ms is null).ToList();
        var delays = Percentiles.Sorted(samples.Select(s => s.DelayMs));
        Console.WriteLine();
        Console.Write(new Table("streams", "published", "failed", "dropped", "not answered", "ramp s", "publishes/s",
                "samples", "played", "edge ms p50", "p99", "max", "bench delay p50", "p99")
            .Add(o.Streams, started, workers.Failed, workers.Dropped, o.Streams - started - workers.Failed, elapsed, started / Math.Max(elapsed, 0.001),
                samples.Count, played.Length, Percentiles.Of(played, 50), Percentiles.Of(played, 99), played.Length == 0 ? double.NaN : played[^1],
                Percentiles.Of(delays, 50), Percentiles.Of(delays, 99)));
        Console.WriteLine("  edge ms: Publish.Start to the first video frame played from the edge; bench delay: the part of it before the bench's player connected");
        if (!settled) Console.WriteLine($"  not every publish answered within the bound ({o.Streams - started - workers.Failed} left)");
        foreach (var line in PublisherWorkers.Describe(workers.Failures)) Console.WriteLine("  failed " + line);
        foreach (var line in PublisherWorkers.Describe(workers.Drops)) Console.WriteLine("  dropped " + line);
        foreach (var g in failedSamples.GroupBy(s => s.Error).OrderByDescending(g => g.Count()))
            Console.WriteLine($"  sample not played x{g.Count()}: {g.Key} (e.g. ramp-{g.First().Stream} from {g.First().Edge})");
        if (samples.Count > 0) Console.Write("samples by publish order (where it breaks, if it does):\n" + ByOrder(samples, o.Streams));

        Console.WriteLine();
        var memory = new Table("node", "heap MB before", "heap MB after", "bytes per stream");
        for (var i = 0; i < nodes.Count; i++)
            memory.Add(nodes[i].Name, heapBefore[i] / 1e6, heapAfter[i] / 1e6, started == 0 ? double.NaN : (double)(heapAfter[i] - heapBefore[i]) / started);
        Console.Write("live heap after a forced GC, before the ramp and after it (the streams still live):\n" + memory);
        var quiet = nodes.Select((n, i) => (n, i)).Where(x => x.n.Role == "edge" || !ports.Contains(x.n.RtmpPort)).ToArray();
        var directoryBytes = started == 0 || quiet.Length == 0 ? double.NaN : quiet.Average(x => (double)(heapAfter[x.i] - heapBefore[x.i])) / started;

        var fields = string.Create(CultureInfo.InvariantCulture,
            $"streams={o.Streams} ramp={o.Ramp} spread={(o.Spread ? "on" : "off")} published={started} failed={workers.Failed} dropped={workers.Dropped} " +
            $"ramp_s={elapsed:0.#} samples={samples.Count} played={played.Length} edge_ms_p50={Percentiles.Of(played, 50):0} " +
            $"edge_ms_p99={Percentiles.Of(played, 99):0} edge_ms_max={(played.Length == 0 ? double.NaN : played[^1]):0} bench_delay_ms_p99={Percentiles.Of(delays, 99):0} " +
            $"directory_bytes_per_stream={directoryBytes:0}");
        return new PhaseOutcome(from, to, started, fields, workers.Failed == 0 && workers.Dropped == 0 && failedSamples.Count == 0 && settled);
    }

    /// <summary>The samples in ten groups by stream number: how many played, and how fast.</summary>
    private static Table ByOrder(IEnumerable<Sample> samples, int streams)
    {
        var table = new Table("streams", "samples", "played", "edge ms p50", "max");
        var size = Math.Max(1, (streams + 9) / 10);
        foreach (var g in samples.GroupBy(s => s.Stream / size).OrderBy(g => g.Key))
        {
            var ms = Percentiles.Sorted(g.Where(s => s.Ms is not null).Select(s => s.Ms!.Value));
            table.Add($"{g.Key * size}-{Math.Min(streams, (g.Key + 1) * size) - 1}", g.Count(), ms.Length, Percentiles.Of(ms, 50),
                ms.Length == 0 ? double.NaN : ms[^1]);
        }
        return table;
    }

    /// <summary>Polls the edges until they hold no source (the samples' pulls passivated), within a bound.</summary>
    private static async Task WaitEdgesIdleAsync(IReadOnlyList<ClusterNode> edges, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (deadline.Elapsed < SettleBound)
        {
            var live = await Task.WhenAll(edges.Select(e => e.Api.LiveStreamsAsync(ct)));
            if (live.All(n => n == 0)) return;
            await poll.WaitForNextTickAsync(ct);
        }
        Console.WriteLine("  (the edges still hold sample sources: their heap includes them)");
    }
}

using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Report;

namespace Srs.Bench.Cluster;

/// <summary>
/// <c>churn</c>: for --churn-time, --churn-rate new publishers a second, each living --churn-life,
/// so as many streams end as start each second once the first have ended, and the live count
/// stays level (rate x life). Every node's heap and RSS are sampled every --mem-every; a flat
/// line is the goal. The live heap after a forced GC before and after (once the origins are back
/// to the streams they held before) shows what the churn left behind.
/// </summary>
public static class ChurnPhase
{
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(60);

    public static async Task<PhaseOutcome> RunAsync(ClusterRun run, CancellationToken ct)
    {
        var o = run.Options;
        var nodes = run.Cluster.Nodes;
        var count = (int)Math.Round(o.ChurnRate * o.ChurnTime.TotalSeconds);
        var live = (long)Math.Ceiling(o.ChurnRate * o.ChurnLife.TotalSeconds);
        Console.WriteLine($"churn: {o.ChurnRate} publishes/s for {o.ChurnTime.TotalSeconds:0} s ({count} streams), each living " +
                          $"{o.ChurnLife.TotalSeconds:0.#} s: ~{live} live, {o.ChurnRate} unpublishes/s once level");
        var originsBefore = await Task.WhenAll(run.Cluster.Origins.Select(n => n.Api.LiveStreamsAsync(ct)));
        var heapBefore = await NodeMemory.ForceGcAsync(nodes, ct);
        var memory = new NodeMemory(nodes);

        var from = await run.Traffic.ReadAsync(ct);
        var plan = new PublishPlan("churn", count, o.ChurnRate, o.ChurnLife, run.PublishPorts, o.Spread, 0, o.Profile,
            Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var level = TimeSpan.FromSeconds(2) + o.ChurnLife;
        var lastPublish = TimeSpan.FromSeconds(2) + o.ChurnTime;
        var done = true;
        await using (var workers = PublisherWorkers.Start(plan, run.WorkersFor(live + o.ChurnRate)))
        {
            await using (new ConsoleProgress(() =>
                $"  {clock.Elapsed.TotalSeconds,6:0.0}s  published {workers.Started}/{count}  live {workers.Live}  ended {workers.Ended}  " +
                $"failed {workers.Failed}  dropped {workers.Dropped}"))
            {
                var bound = TimeSpan.FromSeconds(2) + o.ChurnTime + o.ChurnLife + SettleBound;
                using var sampler = new PeriodicTimer(o.MemoryEvery);
                var all = workers.AllDone;
                while (!all.IsCompleted)
                {
                    if (clock.Elapsed > bound)
                    {
                        done = false;
                        break;
                    }
                    await Task.WhenAny(all, sampler.WaitForNextTickAsync(ct).AsTask());
                    ct.ThrowIfCancellationRequested();
                    // From the time the first streams end to the last publish, the live count is level: memory should be too.
                    if (!all.IsCompleted && clock.Elapsed >= level && clock.Elapsed <= lastPublish) await memory.SampleAsync(ct);
                }
            }
            var to = await run.Traffic.ReadAsync(ct);
            var elapsed = clock.Elapsed.TotalSeconds - 2;
            var changes = workers.Started + workers.Ended + workers.Dropped;

            var settled = await WaitOriginsAtAsync(run.Cluster.Origins, originsBefore, ct);
            var heapAfter = await NodeMemory.ForceGcAsync(nodes, ct);

            Console.WriteLine();
            Console.Write(new Table("streams", "published", "failed", "dropped", "ended", "s", "publishes/s", "unpublishes/s")
                .Add(count, workers.Started, workers.Failed, workers.Dropped, workers.Ended, elapsed,
                    workers.Started / Math.Max(elapsed, 0.001), (workers.Ended + workers.Dropped) / Math.Max(elapsed, 0.001)));
            if (!done) Console.WriteLine("  not every stream over within the bound");
            foreach (var line in PublisherWorkers.Describe(workers.Failures)) Console.WriteLine("  failed " + line);
            foreach (var line in PublisherWorkers.Describe(workers.Drops)) Console.WriteLine("  dropped " + line);
            Console.WriteLine();
            Console.Write($"memory through the churn, every {o.MemoryEvery.TotalSeconds:0.#} s once the live count is level " +
                          $"(heap from /metrics, not collected; RSS from /proc):\n" + memory.Describe());
            var gc = new Table("node", "heap MB before", "heap MB after", "difference KB");
            for (var i = 0; i < nodes.Count; i++) gc.Add(nodes[i].Name, heapBefore[i] / 1e6, heapAfter[i] / 1e6, (heapAfter[i] - heapBefore[i]) / 1e3);
            Console.Write("live heap after a forced GC, before the churn and after it" + (settled ? "" : " (the origins still held churn streams)") + ":\n" + gc);

            var fields = string.Create(CultureInfo.InvariantCulture,
                $"rate={o.ChurnRate} churn_s={o.ChurnTime.TotalSeconds:0} life_s={o.ChurnLife.TotalSeconds:0.#} published={workers.Started} failed={workers.Failed} " +
                $"dropped={workers.Dropped} ended={workers.Ended} heap_slope_max_MB_per_min={memory.MaxHeapSlope():0.###} " +
                $"rss_slope_max_MB_per_min={memory.MaxRssSlope():0.###} gc_heap_growth_max_bytes={nodes.Select((_, i) => heapAfter[i] - heapBefore[i]).Max()}");
            return new PhaseOutcome(from, to, changes, fields, done && workers.Failed == 0 && workers.Dropped == 0);
        }
    }

    /// <summary>Polls the origins until their live sources are back to <paramref name="counts"/> (the churn's passivated), within a bound.</summary>
    private static async Task<bool> WaitOriginsAtAsync(IReadOnlyList<ClusterNode> origins, int[] counts, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (deadline.Elapsed < SettleBound)
        {
            var live = await Task.WhenAll(origins.Select(n => n.Api.LiveStreamsAsync(ct)));
            if (live.Select((n, i) => n <= counts[i]).All(x => x)) return true;
            await poll.WaitForNextTickAsync(ct);
        }
        return false;
    }
}

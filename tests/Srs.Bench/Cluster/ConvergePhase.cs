using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Report;
using Srs.Bench.Rtmp;
using Srs.Bench.Media;

namespace Srs.Bench.Cluster;

/// <summary>
/// <c>converge</c>: --changes times, one after the other, a stream is published on origin k (round
/// robin), then unpublished; after each, every node's own directory replica is polled until it
/// says so (the origin holds it; nobody does). The time from NetStream.Publish.Start (or from
/// the publisher's deleteStream) to the answer of the last node to agree is the convergence
/// time, to within the poll interval and one request.
/// </summary>
public static class ConvergePhase
{
    public static async Task<PhaseOutcome> RunAsync(ClusterRun run, CancellationToken ct)
    {
        var o = run.Options;
        var nodes = run.Cluster.Nodes;
        var origins = run.Cluster.Origins;
        // The fallback reads the whole directory in each answer: polled less often, the more so the more nodes.
        var poll = run.Directory.HasOriginsEndpoint ? o.Poll
            : TimeSpan.FromMilliseconds(Math.Max(o.Poll.TotalMilliseconds, Math.Max(200, 50 * nodes.Count)));
        Console.WriteLine($"converge: {o.Changes} publishes, each then unpublished, round robin over {origins.Count} origins; every node's view " +
                          $"polled every {poll.TotalMilliseconds:0} ms ({run.Directory.Describe})");
        var stream = new SyntheticStream(o.Profile);
        var counters = new PublishCounters();
        var appear = new List<double>();
        var disappear = new List<double>();
        var errors = new List<string>();
        var lastNode = new Dictionary<string, int>();
        var changes = 0L;
        var from = await run.Traffic.ReadAsync(ct);
        var clock = Stopwatch.StartNew();
        await using (new ConsoleProgress(() => $"  {clock.Elapsed.TotalSeconds,6:0.0}s  change {appear.Count + errors.Count}/{o.Changes}  " +
                                               $"appear p99 {Percentiles.Of(Percentiles.Sorted(appear), 99):0} ms  disappear p99 {Percentiles.Of(Percentiles.Sorted(disappear), 99):0} ms"))
        {
            for (var j = 0; j < o.Changes; j++)
            {
                var origin = origins[j % origins.Count];
                var name = $"conv-{Environment.ProcessId}-{j}";
                using var stop = new CancellationTokenSource();
                var published = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var publishing = StreamPublisher.RunAsync(origin.Url(name), stream, TimeSpan.FromDays(1), counters, ct, at => published.TrySetResult(at), stop.Token);
                await Task.WhenAny(published.Task, publishing);
                if (!published.Task.IsCompleted)
                {
                    errors.Add($"publish on {origin.Name}: {(await publishing).Error}");
                    continue;
                }
                changes += 2; // the publish, and the unpublish below
                var (upMs, upLast) = await ConvergeAsync(run, nodes, name, h => h.Count == 1 && h.Contains(origin.Address), published.Task.Result, poll, ct);
                var unpublishedAt = Stopwatch.GetTimestamp();
                stop.Cancel();
                var (downMs, downLast) = await ConvergeAsync(run, nodes, name, h => h.Count == 0, unpublishedAt, poll, ct);
                await publishing;
                if (upMs is { } up) appear.Add(up); else errors.Add($"{name} on {origin.Name}: not seen everywhere within {o.ConvergeTimeout.TotalSeconds:0} s (first missing: {upLast})");
                if (downMs is { } down) disappear.Add(down); else errors.Add($"{name} on {origin.Name}: still listed somewhere after {o.ConvergeTimeout.TotalSeconds:0} s (e.g. {downLast})");
                foreach (var n in new[] { upLast, downLast }) lastNode[n] = lastNode.GetValueOrDefault(n) + 1;
            }
        }
        var to = await run.Traffic.ReadAsync(ct);

        var a = Percentiles.Sorted(appear);
        var d = Percentiles.Sorted(disappear);
        var all = Percentiles.Sorted(appear.Concat(disappear));
        Console.WriteLine();
        var table = new Table("change", "count", "p50 ms", "p99 ms", "max ms", "over 2 s");
        foreach (var (label, s) in new[] { ("publish", a), ("unpublish", d), ("both", all) })
            table.Add(label, s.Length, Percentiles.Of(s, 50), Percentiles.Of(s, 99), s.Length == 0 ? double.NaN : s[^1], s.Count(x => x > 2000));
        Console.Write(table);
        Console.WriteLine("  last node to agree: " + string.Join(", ", lastNode.OrderByDescending(x => x.Value).Select(x => $"{x.Key} x{x.Value}")));
        foreach (var e in errors.Take(10)) Console.WriteLine("  " + e);
        if (errors.Count > 10) Console.WriteLine($"  ... {errors.Count - 10} more");

        var fields = string.Create(CultureInfo.InvariantCulture,
            $"converge_changes={o.Changes} not_converged={errors.Count} poll_ms={poll.TotalMilliseconds:0} reader={(run.Directory.HasOriginsEndpoint ? "origins" : "cluster")} " +
            $"appear_ms_p50={Percentiles.Of(a, 50):0} appear_ms_p99={Percentiles.Of(a, 99):0} appear_ms_max={(a.Length == 0 ? double.NaN : a[^1]):0} " +
            $"disappear_ms_p50={Percentiles.Of(d, 50):0} disappear_ms_p99={Percentiles.Of(d, 99):0} disappear_ms_max={(d.Length == 0 ? double.NaN : d[^1]):0} " +
            $"converge_ms_p50={Percentiles.Of(all, 50):0} converge_ms_p99={Percentiles.Of(all, 99):0} converge_ms_max={(all.Length == 0 ? double.NaN : all[^1]):0} " +
            $"over_2s={all.Count(x => x > 2000)}");
        return new PhaseOutcome(from, to, changes, fields, errors.Count == 0);
    }

    /// <summary>
    /// Polls every node that does not agree yet until all do, within --converge-timeout: the ms from
    /// <paramref name="since"/> to the last node's agreeing answer (null past the bound) and the name
    /// of that node (or of one still not agreeing).
    /// </summary>
    private static async Task<(double? Ms, string Last)> ConvergeAsync(ClusterRun run, IReadOnlyList<ClusterNode> nodes, string stream,
        Func<HashSet<string>, bool> agrees, long since, TimeSpan poll, CancellationToken ct)
    {
        var pending = nodes.ToList();
        var last = nodes[0].Name;
        var lastAt = since;
        using var timer = new PeriodicTimer(poll);
        while (Stopwatch.GetElapsedTime(since) < run.Options.ConvergeTimeout)
        {
            var answers = await Task.WhenAll(pending.Select(async n =>
            {
                var holders = await run.Directory.HoldersAsync(n, [stream], ct);
                return (Node: n, Agrees: holders is not null && agrees(holders[stream]), At: Stopwatch.GetTimestamp());
            }));
            foreach (var answer in answers.Where(x => x.Agrees))
            {
                pending.Remove(answer.Node);
                if (answer.At < lastAt) continue;
                lastAt = answer.At;
                last = answer.Node.Name;
            }
            if (pending.Count == 0) return (Stopwatch.GetElapsedTime(since, lastAt).TotalMilliseconds, last);
            await timer.WaitForNextTickAsync(ct);
        }
        return (null, pending[0].Name);
    }
}

using System.Diagnostics;
using Srs.Bench.Report;
using Srs.Bench.Server;

namespace Srs.Bench.Cluster;

/// <summary>
/// The nodes' memory through a phase: every node's managed heap (/metrics, no collection forced:
/// it includes garbage not yet collected) and RSS (/proc) at each <see cref="SampleAsync"/>, then
/// first, last, max and the least-squares slope per node. <see cref="ForceGcAsync"/> is the exact
/// figure: the live heap after full collections on every node.
/// </summary>
public sealed class NodeMemory(IReadOnlyList<ClusterNode> nodes)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<(double Seconds, double Heap, double Rss)>[] _samples =
        nodes.Select(_ => new List<(double, double, double)>()).ToArray();

    public async Task SampleAsync(CancellationToken ct)
    {
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        await Task.WhenAll(nodes.Select(async (node, i) =>
        {
            try
            {
                var metrics = await node.Api.MetricsAsync(ct);
                var rss = node.Runner is { } r ? ServerProbe.ReadRss(r.Pid) : null;
                if (metrics.TryGetValue("dotnet_gc_heap_bytes", out var heap) && rss is not null)
                    lock (_samples[i]) _samples[i].Add((seconds, heap, rss.Value));
            }
            catch (HttpRequestException) { } // a node too busy to answer misses one sample
        }));
    }

    /// <summary>Per node: heap and RSS at the first and last sample, their max, and their slope in MB per minute.</summary>
    public Table Describe()
    {
        var table = new Table("node", "samples", "heap MB first", "last", "max", "MB/min", "RSS MB first", "last", "max", "MB/min");
        for (var i = 0; i < nodes.Count; i++)
        {
            var s = _samples[i];
            if (s.Count == 0)
            {
                table.Add(nodes[i].Name, 0);
                continue;
            }
            table.Add(nodes[i].Name, s.Count,
                s[0].Heap / 1e6, s[^1].Heap / 1e6, s.Max(x => x.Heap) / 1e6, Slope(s, x => x.Heap) * 60 / 1e6,
                s[0].Rss / 1e6, s[^1].Rss / 1e6, s.Max(x => x.Rss) / 1e6, Slope(s, x => x.Rss) * 60 / 1e6);
        }
        return table;
    }

    /// <summary>The largest RSS slope over the nodes, in MB per minute (for the RESULT line).</summary>
    public double MaxRssSlope() => _samples.Where(s => s.Count > 1).Select(s => Slope(s, x => x.Rss) * 60 / 1e6).DefaultIfEmpty(double.NaN).Max();

    /// <summary>The largest heap slope over the nodes, in MB per minute.</summary>
    public double MaxHeapSlope() => _samples.Where(s => s.Count > 1).Select(s => Slope(s, x => x.Heap) * 60 / 1e6).DefaultIfEmpty(double.NaN).Max();

    /// <summary>Least-squares slope of the value against time (units per second).</summary>
    private static double Slope(List<(double Seconds, double Heap, double Rss)> samples, Func<(double Seconds, double Heap, double Rss), double> value)
    {
        if (samples.Count < 2) return double.NaN;
        var mt = samples.Average(s => s.Seconds);
        var mv = samples.Average(value);
        var num = samples.Sum(s => (s.Seconds - mt) * (value(s) - mv));
        var den = samples.Sum(s => (s.Seconds - mt) * (s.Seconds - mt));
        return den == 0 ? double.NaN : num / den;
    }

    /// <summary>Every node's live managed heap after forced full collections (POST /api/v1/debug/gc), one node at a time.</summary>
    public static async Task<long[]> ForceGcAsync(IReadOnlyList<ClusterNode> nodes, CancellationToken ct)
    {
        var heaps = new long[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) heaps[i] = (await nodes[i].Api.ForceGcAsync(ct)).HeapBytes;
        return heaps;
    }
}

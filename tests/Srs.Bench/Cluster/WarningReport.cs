using System.Globalization;
using Srs.Bench.Report;

namespace Srs.Bench.Cluster;

/// <summary>Warning lines each node logged between two snapshots of its <see cref="NodeLogCounters"/>, and the totals as RESULT fields.</summary>
public static class WarningReport
{
    public static long[][] Snapshot(IReadOnlyList<ClusterNode> nodes) => nodes.Select(n => n.Log.Snapshot()).ToArray();

    /// <summary>A row per node that logged any, a total row; fields "hb_growing=N ...".</summary>
    public static (string Table, string Fields) Describe(IReadOnlyList<ClusterNode> nodes, long[][] before, long[][] after)
    {
        var kinds = NodeLogCounters.Kinds;
        var table = new Table(["node", .. kinds.Select(k => k.Name)]);
        var total = new long[kinds.Length];
        for (var i = 0; i < nodes.Count; i++)
        {
            var delta = after[i].Select((v, k) => v - before[i][k]).ToArray();
            for (var k = 0; k < kinds.Length; k++) total[k] += delta[k];
            if (delta.Any(d => d > 0)) table.Add([nodes[i].Name, .. delta.Cast<object>()]);
        }
        table.Add(["all nodes", .. total.Cast<object>()]);
        var fields = string.Join(" ", kinds.Select((k, j) => string.Create(CultureInfo.InvariantCulture, $"{k.Name}={total[j]}")));
        return (table.ToString(), fields);
    }

    /// <summary>The first line of each kind any node logged since the phases began.</summary>
    public static IEnumerable<string> Examples(IReadOnlyList<ClusterNode> nodes)
    {
        for (var k = 0; k < NodeLogCounters.Kinds.Length; k++)
        {
            var node = nodes.FirstOrDefault(n => n.Log.Example(k) is not null);
            if (node is not null) yield return $"  {NodeLogCounters.Kinds[k].Name} ({node.Name}): {Shorten(node.Log.Example(k)!)}";
        }
    }

    private static string Shorten(string line) => line.Length <= 300 ? line : line[..300] + " ...";
}

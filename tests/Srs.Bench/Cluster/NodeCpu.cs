using System.Diagnostics;
using System.Globalization;
using Srs.Bench.Server;

namespace Srs.Bench.Cluster;

/// <summary>The nodes' CPU time at one moment (/proc), to tell how busy the cluster itself kept the machine over a window.</summary>
public sealed record NodeCpu(long Timestamp, TimeSpan[] Cpu)
{
    public static NodeCpu Read(IReadOnlyList<ClusterNode> nodes) => new(Stopwatch.GetTimestamp(),
        nodes.Select(n => n.Runner is { HasExited: false } r ? ProcessCpu.Read(r.Pid) ?? TimeSpan.Zero : TimeSpan.Zero).ToArray());

    /// <summary>"all nodes N% of a core, busiest NAME M%" from <paramref name="from"/> to this reading.</summary>
    public string Since(NodeCpu from, IReadOnlyList<ClusterNode> nodes)
    {
        var seconds = Stopwatch.GetElapsedTime(from.Timestamp, Timestamp).TotalSeconds;
        if (seconds <= 0) return "na";
        var percent = Cpu.Select((c, i) => 100 * Math.Max(0, (c - from.Cpu[i]).TotalSeconds) / seconds).ToArray();
        var busiest = Array.IndexOf(percent, percent.Max());
        return string.Create(CultureInfo.InvariantCulture, $"all nodes {percent.Sum():0}% of a core, busiest {nodes[busiest].Name} {percent[busiest]:0}%");
    }
}

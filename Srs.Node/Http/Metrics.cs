using System.Text;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;

namespace Srs.Node.Http;

/// <summary>Prometheus text exposition of the node's counters.</summary>
public static class Metrics
{
    private static readonly string[] Phases = ["starting", "running", "draining", "unbinding", "waiting-clients", "final-wait", "stopping"];

    public static string Render(ServerStats stats, NodeState state)
    {
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value, string labels = "")
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            sb.Append(name).Append(labels).Append(' ').Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        var clients = stats.Clients.Values.ToArray();
        Metric("srs_connections", "gauge", "Connected clients.", clients.Length);
        Metric("srs_publishers", "gauge", "Connected publishers.", clients.Count(c => c.IsPublisher));
        Metric("srs_streams", "gauge", "Live sources.", stats.Streams.Count);
        Metric("srs_connections_accepted_total", "counter", "Client connections accepted.", stats.ConnectionsAccepted);
        Metric("srs_sources_created_total", "counter", "Sources created.", stats.SourcesCreated);
        Metric("srs_sources_passivated_total", "counter", "Sources passivated after their idle timeout.", stats.SourcesPassivated);
        Metric("srs_bytes_received_total", "counter", "Bytes received from clients.", stats.BytesIn);
        Metric("srs_bytes_sent_total", "counter", "Bytes sent to clients.", stats.BytesOut);
        Metric("srs_upstream_bytes_received_total", "counter", "Bytes an edge received from origins (pulled streams).", stats.UpstreamBytesIn);
        Metric("srs_upstream_bytes_sent_total", "counter", "Bytes an edge sent to origins (forwarded publishes).", stats.UpstreamBytesOut);
        Metric("srs_ready", "gauge", "1 while the node takes new clients.", state.Ready ? 1 : 0);

        sb.Append("# HELP srs_shutdown_phase The node's lifecycle phase (1 for the current one).\n# TYPE srs_shutdown_phase gauge\n");
        foreach (var phase in Phases)
            sb.Append("srs_shutdown_phase{phase=\"").Append(phase).Append("\"} ").Append(state.Phase == phase ? 1 : 0).Append('\n');

        // Environment's readings, not Process's: the same figures without loading System.Diagnostics.Process.
        Metric("process_resident_memory_bytes", "gauge", "Resident memory.", Environment.WorkingSet);
        Metric("process_cpu_seconds_total", "counter", "User and system CPU time.", Environment.CpuUsage.TotalTime.TotalSeconds);
        Metric("dotnet_gc_heap_bytes", "gauge", "Managed heap size.", GC.GetTotalMemory(false));
        Metric("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap.", GC.GetTotalAllocatedBytes());
        sb.Append("# HELP dotnet_gc_collections_total GC collections by generation.\n# TYPE dotnet_gc_collections_total counter\n");
        for (var g = 0; g <= GC.MaxGeneration; g++)
            sb.Append("dotnet_gc_collections_total{generation=\"").Append(g).Append("\"} ").Append(GC.CollectionCount(g)).Append('\n');
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using Srs.Actors.Lifecycle;

namespace Srs.Node.Http;

/// <summary>
/// Prometheus text exposition of a <see cref="NodeView"/>. The srs_* figures are the node's,
/// summed over the processes of an upgrade in place; each process's own figures (readiness,
/// phase, CPU, memory, GC) carry its <c>pid</c> label, so that no counter goes backwards whichever
/// process answers the scrape.
/// </summary>
public static class Metrics
{
    public static string Render(NodeView view)
    {
        var sb = new StringBuilder();
        void Help(string name, string type, string help) =>
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        void Sample(string name, double value, string labels = "") =>
            sb.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        void Metric(string name, string type, string help, double value)
        {
            Help(name, type, help);
            Sample(name, value);
        }
        void PerProcess(string name, string type, string help, Func<ProcessJson, double> value)
        {
            Help(name, type, help);
            foreach (var p in view.Processes) Sample(name, value(p), $"{{pid=\"{p.Pid}\"}}");
        }

        var c = view.Counters;
        Metric("srs_connections", "gauge", "Connected clients.", view.Clients.Count);
        Metric("srs_publishers", "gauge", "Connected publishers.", view.Clients.Count(x => x.Publish));
        Metric("srs_streams", "gauge", "Live sources.", ApiJson.MergeStreams(view.Streams).Count);
        Metric("srs_connections_accepted_total", "counter", "Client connections accepted.", c.ConnectionsAccepted);
        Metric("srs_sources_created_total", "counter", "Sources created.", c.SourcesCreated);
        Metric("srs_sources_passivated_total", "counter", "Sources passivated after their idle timeout.", c.SourcesPassivated);
        Metric("srs_bytes_received_total", "counter", "Bytes received from clients.", c.BytesIn);
        Metric("srs_bytes_sent_total", "counter", "Bytes sent to clients.", c.BytesOut);
        Metric("srs_upstream_bytes_received_total", "counter", "Bytes an edge received from origins (pulled streams).", c.UpstreamBytesIn);
        Metric("srs_upstream_bytes_sent_total", "counter", "Bytes an edge sent to origins (forwarded publishes).", c.UpstreamBytesOut);
        Metric("srs_processes", "gauge", "Processes serving the node's ports (2 or more during an upgrade in place).", view.Processes.Count);

        PerProcess("srs_ready", "gauge", "1 while the process takes new clients.", p => p.Ready ? 1 : 0);
        Help("srs_shutdown_phase", "gauge", "The process's lifecycle phase (1 for the current one).");
        foreach (var p in view.Processes)
            foreach (var phase in NodePhase.All)
                Sample("srs_shutdown_phase", p.Phase == phase ? 1 : 0, $"{{pid=\"{p.Pid}\",phase=\"{phase}\"}}");

        PerProcess("process_resident_memory_bytes", "gauge", "Resident memory.", p => p.RssBytes);
        PerProcess("process_cpu_seconds_total", "counter", "User and system CPU time.", p => p.CpuSeconds);
        PerProcess("dotnet_gc_heap_bytes", "gauge", "Managed heap size.", p => p.GcHeapBytes);
        PerProcess("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap.", p => p.GcAllocatedBytes);
        Help("dotnet_gc_collections_total", "counter", "GC collections by generation.");
        foreach (var p in view.Processes)
            for (var g = 0; g < p.GcCollections.Count; g++)
                Sample("dotnet_gc_collections_total", p.GcCollections[g], $"{{pid=\"{p.Pid}\",generation=\"{g}\"}}");
        return sb.ToString();
    }
}

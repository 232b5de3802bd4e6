using System.Diagnostics;
using System.Globalization;

namespace Srs.Bench.Server;

/// <summary>One reading of the server: CPU time and RSS of its processes (/proc), GC figures (/metrics).</summary>
public sealed record ProbeSample(long Timestamp, TimeSpan? Cpu, long? RssBytes, double? HeapBytes, double? AllocatedBytes,
    double? Gen0, double? Gen1, double? Gen2, double? Connections);

/// <summary>
/// The server side of a run. CPU is utime+stime from /proc/PID/stat summed over the given pids
/// (e.g. nginx's master and worker), RSS is VmRSS from /proc/PID/status summed the same way;
/// with an API URL, the node's /metrics adds the managed heap, bytes allocated and GC counts.
/// </summary>
public sealed class ServerProbe(IReadOnlyList<int> pids, NodeApi? api) : IDisposable
{
    public IReadOnlyList<int> Pids { get; } = pids;
    public NodeApi? Api { get; } = api;
    public bool Any => Pids.Count > 0 || Api is not null;

    public static ServerProbe Parse(string? pidList, string? apiUrl) => new(
        pidList is null ? [] : pidList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(),
        apiUrl is null ? null : new NodeApi(new Uri(apiUrl)));

    public async Task<ProbeSample> TakeAsync(CancellationToken ct = default)
    {
        Dictionary<string, double>? metrics = null;
        if (Api is not null)
        {
            try { metrics = await Api.MetricsAsync(ct); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
        double? Metric(string name) => metrics is not null && metrics.TryGetValue(name, out var v) ? v : null;

        TimeSpan? cpu = null;
        long? rss = null;
        if (Pids.Count > 0)
        {
            foreach (var pid in Pids)
            {
                if (ProcessCpu.Read(pid) is { } c) cpu = (cpu ?? TimeSpan.Zero) + c;
                if (ReadRss(pid) is { } r) rss = (rss ?? 0) + r;
            }
        }
        else
        {
            cpu = Metric("process_cpu_seconds_total") is { } s ? TimeSpan.FromSeconds(s) : null;
            rss = Metric("process_resident_memory_bytes") is { } m ? (long)m : null;
        }

        return new ProbeSample(Stopwatch.GetTimestamp(), cpu, rss, Metric("dotnet_gc_heap_bytes"), Metric("dotnet_gc_allocated_bytes_total"),
            Metric("dotnet_gc_collections_total{generation=\"0\"}"), Metric("dotnet_gc_collections_total{generation=\"1\"}"),
            Metric("dotnet_gc_collections_total{generation=\"2\"}"), Metric("srs_connections"));
    }

    /// <summary>RSS from /proc alone (cheap: for sampling every second).</summary>
    public long? ReadRss()
    {
        long? total = null;
        foreach (var pid in Pids)
            if (ReadRss(pid) is { } r) total = (total ?? 0) + r;
        return total;
    }

    public static long? ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    /// <summary>This process's CPU time (to show the load tool is not the bottleneck).</summary>
    public static TimeSpan SelfCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>RLIMIT_NOFILE of this process (soft), from /proc/self/limits.</summary>
    public static long? FileDescriptorLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return soft is null || soft == "unlimited" ? null : long.Parse(soft, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException) { return null; }
    }

    public void Dispose() => Api?.Dispose();
}

using System.Diagnostics;
using Srs.Bench.Report;

namespace Srs.Bench.Server;

/// <summary>The server's side of a run at one moment: CPU time, RSS, managed heap, gen 2 collections.</summary>
public sealed record ServerSample(TimeSpan? Cpu, double? RssBytes, double? HeapBytes, double? Gen2Collections, long Timestamp)
{
    public static async Task<ServerSample?> TakeAsync(NodeApi? api, int? pid, CancellationToken ct)
    {
        if (api is null && pid is null) return null;
        Dictionary<string, double>? metrics = null;
        if (api is not null)
        {
            try { metrics = await api.MetricsAsync(ct); }
            catch (HttpRequestException e) { Console.WriteLine($"  (metrics unavailable: {e.Message})"); }
        }

        double? Metric(string name) => metrics is not null && metrics.TryGetValue(name, out var v) ? v : null;
        var cpu = pid is { } p ? ProcessCpu.Read(p)
            : Metric("process_cpu_seconds_total") is { } s ? TimeSpan.FromSeconds(s) : null;
        return new ServerSample(cpu, Metric("process_resident_memory_bytes"), Metric("dotnet_gc_heap_bytes"),
            Metric("dotnet_gc_collections_total{generation=\"2\"}"), Stopwatch.GetTimestamp());
    }

    /// <summary>A table of the server over the run, and the same figures as RESULT fields (" key=value ...").</summary>
    public static (string Table, string Fields)? Describe(ServerSample? before, ServerSample? after)
    {
        if (before is null || after is null) return null;
        var wall = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp);
        var cpu = after.Cpu - before.Cpu;
        var cpuPercent = cpu is { } c && wall > TimeSpan.Zero ? 100 * c / wall : (double?)null;
        var gen2 = after.Gen2Collections - before.Gen2Collections;
        var table = new Table("server cpu s", "cpu % of a core", "rss MB", "heap MB", "gen2 GCs")
            .Add(Show(cpu?.TotalSeconds), Show(cpuPercent), Show(after.RssBytes / 1e6), Show(after.HeapBytes / 1e6), Show(gen2))
            .ToString();
        var fields = FormattableString.Invariant(
            $" server_cpu_s={Show(cpu?.TotalSeconds)} server_cpu_pct={Show(cpuPercent)} server_rss_bytes={after.RssBytes?.ToString("0") ?? "na"} server_heap_bytes={after.HeapBytes?.ToString("0") ?? "na"} server_gen2={Show(gen2)}");
        return (table, fields);
    }

    private static string Show(double? value) => value is { } v ? v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "na";
}

using System.Globalization;
using System.Text.Json;

namespace Srs.Bench.Server;

/// <summary>The node's HTTP API as the benchmarks read it: live streams, /metrics, the forced GC, any JSON route.</summary>
public sealed class NodeApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Live sources: the length of /api/v1/streams' streams array.</summary>
    public async Task<int> LiveStreamsAsync(CancellationToken ct = default)
    {
        await using var body = await _http.GetStreamAsync("/api/v1/streams", ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return json.RootElement.GetProperty("streams").GetArrayLength();
    }

    /// <summary>
    /// Every sample of /metrics by its name with labels (e.g. "dotnet_gc_collections_total{generation=\"2\"}"),
    /// the process's own figures without their pid label: a benchmark reads one process.
    /// </summary>
    public async Task<Dictionary<string, double>> MetricsAsync(CancellationToken ct = default)
    {
        var text = await _http.GetStringAsync("/metrics", ct);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[WithoutPid(line[..space])] = value;
        }
        return samples;
    }

    /// <summary>POST /api/v1/debug/gc: the node runs full blocking compacting collections and reports its heap and RSS.</summary>
    public async Task<(long HeapBytes, long RssBytes)> ForceGcAsync(CancellationToken ct = default)
    {
        using var response = await _http.PostAsync("/api/v1/debug/gc", null, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        var root = json.RootElement;
        return (root.GetProperty("heap_bytes").GetInt64(), root.GetProperty("rss_bytes").GetInt64());
    }

    /// <summary>GET <paramref name="path"/> as JSON; null on 404 (a route this build of the node does not have).</summary>
    public async Task<JsonDocument?> GetJsonAsync(string path, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(body, cancellationToken: ct);
    }

    public override string ToString() => baseAddress.ToString();

    public void Dispose() => _http.Dispose();

    private static string WithoutPid(string sample)
    {
        var start = sample.IndexOf("pid=\"", StringComparison.Ordinal);
        if (start < 0) return sample;
        var end = sample.IndexOf('"', start + 5) + 1;
        if (end < sample.Length && sample[end] == ',') end++;
        else if (start > 0 && sample[start - 1] == ',') start--;
        var rest = sample.Remove(start, end - start);
        return rest.EndsWith("{}", StringComparison.Ordinal) ? rest[..^2] : rest;
    }
}

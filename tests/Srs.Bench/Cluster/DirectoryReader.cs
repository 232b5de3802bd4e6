using System.Text.Json;

namespace Srs.Bench.Cluster;

/// <summary>
/// Which origins a node's own replica of the stream directory says hold a stream. Uses
/// <c>GET /api/v1/cluster/origins?app=APP&amp;stream=NAME</c> (one request per stream) where the
/// node has it; on a build without it (404), <c>/api/v1/cluster</c>'s members[].streams[] (one
/// request for all the streams asked about, but the whole directory in each answer: slow with
/// thousands of streams, so polled less often: every 200 ms, or 50 ms per node).
/// </summary>
public sealed class DirectoryReader
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    private DirectoryReader(bool originsEndpoint) => HasOriginsEndpoint = originsEndpoint;

    public bool HasOriginsEndpoint { get; }

    public string Describe => HasOriginsEndpoint ? "GET /api/v1/cluster/origins" : "GET /api/v1/cluster (no /api/v1/cluster/origins on this build)";

    public static async Task<DirectoryReader> ProbeAsync(ClusterNode node, CancellationToken ct)
    {
        using var json = await node.Api.GetJsonAsync(OriginsPath("srs-bench-probe"), ct);
        return new DirectoryReader(json is not null);
    }

    /// <summary>The directory key of a stream of the bench's app.</summary>
    public static string Key(string stream) => $"__defaultVhost__/{ClusterNode.App}/{stream}";

    /// <summary>
    /// For each of <paramref name="streams"/>, the addresses of the origins that hold it in
    /// <paramref name="node"/>'s view; null when the node did not answer in time.
    /// </summary>
    public async Task<Dictionary<string, HashSet<string>>?> HoldersAsync(ClusterNode node, IReadOnlyCollection<string> streams, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var holders = streams.ToDictionary(s => s, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
            if (HasOriginsEndpoint)
            {
                foreach (var stream in streams)
                {
                    using var json = await node.Api.GetJsonAsync(OriginsPath(stream), timeout.Token);
                    if (json is null) return null;
                    foreach (var origin in json.RootElement.GetProperty("origins").EnumerateArray())
                        holders[stream].Add(origin.GetProperty("node").GetString()!);
                }
                return holders;
            }

            var byKey = streams.ToDictionary(Key, s => holders[s], StringComparer.Ordinal);
            using (var json = await node.Api.GetJsonAsync("/api/v1/cluster", timeout.Token))
            {
                if (json is null) return null;
                foreach (var member in json.RootElement.GetProperty("cluster").GetProperty("members").EnumerateArray())
                {
                    if (!member.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "origin")) continue;
                    var address = member.GetProperty("address").GetString()!;
                    foreach (var s in member.GetProperty("streams").EnumerateArray())
                        if (s.GetProperty("publishing").GetBoolean() && byKey.TryGetValue(s.GetProperty("stream").GetString()!, out var set))
                            set.Add(address);
                }
            }
            return holders;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                       || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string OriginsPath(string stream) =>
        $"/api/v1/cluster/origins?app={Uri.EscapeDataString(ClusterNode.App)}&stream={Uri.EscapeDataString(stream)}";
}

using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Srs.Actors.Cluster;
using Srs.Actors.Connections;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;

namespace Srs.Node.Http;

/// <summary>The HTTP API (SRS's /api/v1 plus health and /metrics), served on the http-api port only.</summary>
public static class ApiEndpoints
{
    public static void Map(WebApplication app, int port, bool debug)
    {
        var api = app.MapGroup("").AddEndpointFilter(new PortFilter(port));
        var serverId = "vid-" + Environment.ProcessId.ToString("x");

        IResult Ok(object body) => Results.Json(body);
        IResult Error(int status, int code, string message) =>
            Results.Json(new { code, server = serverId, message }, statusCode: status);

        api.MapGet("/api/v1/versions", () => Ok(new
        {
            code = 0, server = serverId,
            data = new { major = NodeVersion.Major, minor = NodeVersion.Minor, revision = NodeVersion.Revision, version = NodeVersion.Text },
        }));

        api.MapGet("/api/v1/summaries", (ServerStats stats, NodeState state) =>
        {
            using var self = Process.GetCurrentProcess();
            return Ok(new
            {
                code = 0, server = serverId,
                data = new
                {
                    ok = true,
                    now_ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    self = new
                    {
                        version = NodeVersion.Text,
                        pid = Environment.ProcessId,
                        mem_kbyte = self.WorkingSet64 / 1024,
                        srs_uptime = (long)(DateTimeOffset.UtcNow - stats.Started).TotalSeconds,
                    },
                    system = new
                    {
                        cpus = Environment.ProcessorCount,
                        conn_srs = stats.Clients.Count,
                        streams = stats.Streams.Count,
                        recv_bytes = stats.BytesIn,
                        send_bytes = stats.BytesOut,
                    },
                    shutdown = new { phase = state.Phase, ready = state.Ready, reason = state.NotReadyReason, draining_clients = stats.Clients.Count },
                },
            });
        });

        api.MapGet("/api/v1/streams", (string? scope, ServerStats stats, ClusterViewHolder cluster) => scope switch
        {
            null or "" or "node" => Ok(new
            {
                code = 0, server = serverId,
                streams = stats.Streams.Values.OrderBy(s => s.Created).Select(s => ApiJson.Stream(s, stats)).ToArray(),
            }),
            // Every node's streams from the cluster directory, draining nodes included, so counts
            // stay right while an old and a new process run side by side.
            "cluster" => Ok(new { code = 0, server = serverId, streams = ClusterJson.Streams(cluster.Current) }),
            _ => Error(400, 1, "scope must be node or cluster"),
        });

        api.MapGet("/api/v1/cluster", (ClusterViewHolder cluster) =>
            Ok(new { code = 0, server = serverId, cluster = ClusterJson.Cluster(cluster.Current) }));

        api.MapGet("/api/v1/streams/{id}", (string id, ServerStats stats) =>
            stats.Streams.TryGetValue(id, out var s)
                ? Ok(new { code = 0, server = serverId, stream = ApiJson.Stream(s, stats) })
                : Error(404, 2048, $"stream {id} not found"));

        api.MapGet("/api/v1/clients", (ServerStats stats) => Ok(new
        {
            code = 0, server = serverId,
            clients = stats.Clients.Values.OrderBy(c => c.Connected).Select(c => ApiJson.Client(c, stats)).ToArray(),
        }));

        api.MapGet("/api/v1/clients/{id}", (string id, ServerStats stats) =>
            stats.Clients.TryGetValue(id, out var c)
                ? Ok(new { code = 0, server = serverId, client = ApiJson.Client(c, stats) })
                : Error(404, 2049, $"client {id} not found"));

        api.MapDelete("/api/v1/clients/{id}", (string id, ServerStats stats) =>
        {
            if (!stats.Clients.TryGetValue(id, out var c)) return Error(404, 2049, $"client {id} not found");
            c.Connection.Tell(new ConnectionProtocol.Kick("kicked by the HTTP API"));
            return Ok(new { code = 0, server = serverId });
        });

        api.MapGet("/api/v1/health/live", () => Ok(new { code = 0, server = serverId, status = "live" }));

        api.MapGet("/api/v1/health/ready", (NodeState state) => state.Ready
            ? Ok(new { code = 0, server = serverId, status = "ready" })
            : Results.Json(new { code = 503, server = serverId, status = "not ready", reason = state.NotReadyReason }, statusCode: 503));

        // For benchmarks (tests/Srs.Bench passivation): full blocking compacting collections, then the live heap.
        // Only with srs.http-api.debug = on: anyone reaching the API could otherwise pause the node.
        if (debug) api.MapPost("/api/v1/debug/gc", () =>
        {
            for (var i = 0; i < 2; i++)
            {
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
            }
            using var self = Process.GetCurrentProcess();
            return Ok(new { code = 0, server = serverId, heap_bytes = GC.GetTotalMemory(false), rss_bytes = self.WorkingSet64 });
        });

        api.MapGet("/metrics", (ServerStats stats, NodeState state) =>
            Results.Text(Metrics.Render(stats, state), "text/plain; version=0.0.4"));
    }
}

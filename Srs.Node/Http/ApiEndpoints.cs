using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Hosting;
using Srs.Actors.Cluster;
using Srs.Actors.Connections;
using Srs.Actors.Lifecycle;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Node.Upgrade;

namespace Srs.Node.Http;

/// <summary>
/// The HTTP API (SRS's /api/v1 plus health and /metrics), served on the http-api port only.
/// Handlers are plain <see cref="RequestDelegate"/>s writing source-generated JSON: no minimal-API
/// parameter binding and no reflection-based serializer, both compiled at the first request and
/// kept for good (1.2 MB of RSS together; docs/performance.md, memory).
/// During an upgrade in place either process may answer on the shared port: clients, streams and
/// counters are then those of both (<see cref="UpgradeNeighbours"/>), each entry with its process's pid.
/// </summary>
public static class ApiEndpoints
{
    /// <param name="neighbours">The processes of an upgrade in place linked to this one; null when the upgrade socket is off.</param>
    public static void Map(WebApplication app, int port, bool debug, UpgradeNeighbours? neighbours)
    {
        var stats = app.Services.GetRequiredService<ServerStats>();
        var state = app.Services.GetRequiredService<NodeState>();
        var cluster = app.Services.GetRequiredService<ClusterViewHolder>();
        var server = "vid-" + Environment.ProcessId.ToString("x");

        void Get(string pattern, RequestDelegate handler) => app.MapGet(pattern, PortFilter.Only(port, handler));
        Task Error(HttpContext ctx, int status, int code, string message) =>
            Write(ctx, new ErrorBody(code, server, message), Json.ErrorBody, status);
        Task<NodeView> View(HttpContext ctx) =>
            neighbours?.ViewAsync(ViewScope.All, ctx.RequestAborted) ?? Task.FromResult(ApiJson.LocalView(stats, state));

        Get("/api/v1/versions", ctx => Write(ctx, new VersionsBody(0, server,
            new VersionData(NodeVersion.Major, NodeVersion.Minor, NodeVersion.Revision, NodeVersion.Text)), Json.VersionsBody));

        Get("/api/v1/summaries", async ctx =>
        {
            var view = await View(ctx);
            await Write(ctx, new SummariesBody(0, server, new SummaryData(
                Ok: true,
                NowMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Self: new SummarySelf(NodeVersion.Text, Environment.ProcessId, Environment.WorkingSet / 1024,
                    (long)(DateTimeOffset.UtcNow - stats.Started).TotalSeconds),
                System: new SummarySystem(Environment.ProcessorCount, view.Clients.Count, ApiJson.MergeStreams(view.Streams).Count,
                    view.Counters.BytesIn, view.Counters.BytesOut),
                Shutdown: new SummaryShutdown(state.Phase, state.Ready, state.NotReadyReason, view.Clients.Count(c => c.Pid == Environment.ProcessId)),
                Processes: view.Processes)), Json.SummariesBody);
        });

        Get("/api/v1/streams", ctx => ctx.Request.Query["scope"].ToString() switch
        {
            "" or "node" => NodeStreams(ctx),
            // Every node's streams, draining nodes included, so counts stay right while an old and
            // a new process run side by side; paged (start, count) as SRS pages, asked of the nodes the page covers.
            "cluster" => PageArgs(ctx) is { } page
                ? ClusterStreams(ctx, page.Start, page.Count)
                : Error(ctx, 400, 1, $"start must be 0 or more and count 1 to {ClusterJson.MaxPage}"),
            _ => Error(ctx, 400, 1, "scope must be node or cluster"),
        });

        async Task NodeStreams(HttpContext ctx) =>
            await Write(ctx, new StreamsBody(0, server, ApiJson.MergeStreams((await View(ctx)).Streams)), Json.StreamsBody);

        async Task ClusterStreams(HttpContext ctx, int start, int count) =>
            await Write(ctx, await ClusterJson.StreamsAsync(app.Services.GetRequiredService<ActorSystem>(), cluster.Current, server, start, count),
                Json.ClusterStreamsBody);

        // Which origins this node's directory says hold a stream (empty while none does): what an edge here would pull from.
        Get("/api/v1/cluster/origins", async ctx =>
        {
            var q = ctx.Request.Query;
            var key = new StreamKey(q["vhost"] is { Count: > 0 } v ? v.ToString() : StreamKey.DefaultVhost, q["app"].ToString(), q["stream"].ToString());
            if (!key.IsValid)
            {
                await Error(ctx, 400, 1, "app and stream are required (vhost optional)");
                return;
            }
            var directory = app.Services.GetRequiredService<ActorRegistry>().Get<ClusterDirectory>();
            try
            {
                var answer = await directory.Ask<OriginDirectoryProtocol.OriginCandidates>(new OriginDirectoryProtocol.ResolveOrigin(key), TimeSpan.FromSeconds(2));
                await Write(ctx, ClusterJson.Origins(server, key, answer.Origins), Json.OriginsBody);
            }
            catch (AskTimeoutException)
            {
                await Error(ctx, 503, 1, "the cluster directory did not answer within 2 s");
            }
        });

        Get("/api/v1/cluster", ctx => Write(ctx, new ClusterBody(0, server, ClusterJson.Cluster(cluster.Current)), Json.ClusterBody));

        // Ids are unique within a process: during an upgrade, ?pid= picks the process (else this one's first).
        Get("/api/v1/streams/{id}", async ctx =>
        {
            var id = RouteId(ctx);
            var s = Pick((await View(ctx)).Streams.Where(s => s.Id == id), ctx, s => s.Pid);
            await (s is not null ? Write(ctx, new StreamBody(0, server, s), Json.StreamBody) : Error(ctx, 404, 2048, $"stream {id} not found"));
        });

        Get("/api/v1/clients", async ctx => await Write(ctx, new ClientsBody(0, server, (await View(ctx)).Clients), Json.ClientsBody));

        Get("/api/v1/clients/{id}", async ctx =>
        {
            var id = RouteId(ctx);
            var c = Pick((await View(ctx)).Clients.Where(c => c.Id == id), ctx, c => c.Pid);
            await (c is not null ? Write(ctx, new ClientBody(0, server, c), Json.ClientBody) : Error(ctx, 404, 2049, $"client {id} not found"));
        });

        app.MapDelete("/api/v1/clients/{id}", PortFilter.Only(port, async ctx =>
        {
            var id = RouteId(ctx);
            var c = Pick((await View(ctx)).Clients.Where(c => c.Id == id), ctx, c => c.Pid);
            var kicked = c is not null && (c.Pid == Environment.ProcessId
                ? Kick(stats, id)
                : neighbours is not null && await neighbours.KickAsync(c.Pid, id, ctx.RequestAborted));
            await (kicked ? Write(ctx, new OkBody(0, server), Json.OkBody) : Error(ctx, 404, 2049, $"client {id} not found"));
        }));

        Get("/api/v1/health/live", ctx => Write(ctx, new StatusBody(0, server, "live"), Json.StatusBody));

        Get("/api/v1/health/ready", ctx => state.Ready
            ? Write(ctx, new StatusBody(0, server, "ready"), Json.StatusBody)
            : Write(ctx, new NotReadyBody(503, server, "not ready", state.NotReadyReason), Json.NotReadyBody, 503));

        // For benchmarks (tests/Srs.Bench passivation): full blocking compacting collections, then the live heap.
        // Only with srs.http-api.debug = on: anyone reaching the API could otherwise pause the node.
        if (debug) app.MapPost("/api/v1/debug/gc", PortFilter.Only(port, ctx =>
        {
            for (var i = 0; i < 2; i++)
            {
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
            }
            return Write(ctx, new GcBody(0, server, GC.GetTotalMemory(false), Environment.WorkingSet), Json.GcBody);
        }));

        Get("/metrics", async ctx =>
        {
            var view = await View(ctx);
            ctx.Response.ContentType = "text/plain; version=0.0.4";
            await ctx.Response.WriteAsync(Metrics.Render(view));
        });
    }

    /// <summary>Closes this process's client <paramref name="id"/> (not the other process of an upgrade pulling a stream); false when there is none.</summary>
    public static bool Kick(ServerStats stats, string id)
    {
        if (!stats.Clients.TryGetValue(id, out var c) || c.IsUpgradePeer) return false;
        c.Connection.Tell(new ConnectionProtocol.Kick("kicked by the HTTP API"));
        return true;
    }

    /// <summary>The entry of the process ?pid= names, else this process's, else the first.</summary>
    private static T? Pick<T>(IEnumerable<T> entries, HttpContext ctx, Func<T, int> pid) where T : class
    {
        var list = entries.ToList();
        if (ctx.Request.Query["pid"] is { Count: > 0 } asked)
            return int.TryParse(asked, out var p) ? list.Find(e => pid(e) == p) : null;
        return list.Find(e => pid(e) == Environment.ProcessId) ?? list.FirstOrDefault();
    }

    // Made at the first request, not at start: an idle node never loads the serializer.
    private static ApiJsonContext Json => ApiJsonContext.Default;

    private static (int Start, int Count)? PageArgs(HttpContext ctx)
    {
        var start = IntArg(ctx, "start", 0);
        var count = IntArg(ctx, "count", 100);
        return start >= 0 && count is >= 1 and <= ClusterJson.MaxPage ? (start, count) : null;
    }

    /// <summary>A query integer: <paramref name="absent"/> when not given, -1 when not a number.</summary>
    private static int IntArg(HttpContext ctx, string name, int absent)
    {
        var value = ctx.Request.Query[name];
        if (value.Count == 0) return absent;
        return int.TryParse(value, out var n) ? n : -1;
    }

    private static string RouteId(HttpContext ctx) => (string)ctx.Request.RouteValues["id"]!;

    private static Task Write<T>(HttpContext ctx, T body, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(body, type);
    }
}

using Akka.Actor;
using Akka.Hosting;
using Srs.Actors.Configuration;
using Srs.Actors.Connections;
using Srs.Actors.Hooks;
using Srs.Actors.Media;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Protocol.Flv;
using static Srs.Actors.Sources.SourceProtocol;

namespace Srs.Node.Http;

/// <summary>
/// Live HTTP-FLV: GET /{app}/{stream}.flv answers the FLV header, then the source's metadata,
/// sequence headers and GOP, then live tags, until the client leaves or is kicked.
/// </summary>
public static class HttpFlvEndpoint
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static void Map(WebApplication app, int port)
    {
        app.MapGet("/{app}/{stream}.flv", ServeAsync).AddEndpointFilter(new PortFilter(port));
    }

    private static async Task ServeAsync(HttpContext ctx, string app, string stream,
        ActorRegistry actors, ServerStats stats, SrsSettings settings, HttpHooks hooks, ILogger<HttpFlvProgram> logger)
    {
        var key = StreamKey.FromRtmp(ctx.Request.Host.Host, app, stream + ctx.Request.QueryString.Value);
        if (!key.IsValid)
        {
            ctx.Response.StatusCode = 400;
            return;
        }
        var client = new ClientStats(stats.NextClientId(), $"{ctx.Connection.RemoteIpAddress}:{ctx.Connection.RemotePort}")
        {
            Type = ClientType.FlvPlay, Vhost = key.Vhost, App = key.App, Stream = key.Stream,
            TcUrl = $"http://{ctx.Request.Host}/{key.App}", PageUrl = ctx.Request.Headers.Referer.ToString(),
            Param = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value : null,
        };
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        var connection = await actors.Get<ConnectionManager>().Ask<IActorRef>(new ConnectionProtocol.RegisterHttpClient(client, abort), AskTimeout);
        Action<string> log = message => logger.LogWarning("{Message}", message);
        IActorRef? source = null;
        var queue = new PlayerQueue(settings.QueueLength);
        var reason = "client closed the connection";
        try
        {
            if (hooks.Any && await hooks.CallAsync(HookEvent.OnPlay, client, key, log) is { } refused)
            {
                reason = "play refused by " + refused;
                ctx.Response.StatusCode = 403;
                return;
            }
            var accepted = await actors.Get<SourceRegistry>().Ask<PlayAccepted>(
                new SourceEnvelope(key, new Play(client.Id, connection, queue)), AskTimeout, abort.Token);
            source = accepted.Source;
            connection.Tell(new ConnectionProtocol.WatchSource(source));
            logger.LogInformation("client {Id} plays {Stream} over HTTP-FLV ({State})", client.Id, key, accepted.Publishing ? "live" : "waiting for the publisher");

            ctx.Response.ContentType = "video/x-flv";
            ctx.Response.Headers.CacheControl = "no-cache";
            ctx.Response.Headers.AccessControlAllowOrigin = "*";
            reason = await WriteFlvAsync(ctx.Response.BodyWriter, queue, client, stats, abort.Token);
        }
        catch (OperationCanceledException)
        {
            if (!ctx.RequestAborted.IsCancellationRequested) reason = "kicked or source stopped";
        }
        catch (IOException e)
        {
            reason = "connection lost: " + e.Message;
        }
        finally
        {
            queue.Complete();
            source?.Tell(new StopPlay(client.Id), connection);
            connection.Tell(PoisonPill.Instance);
            logger.LogInformation("client {Id} ({Ip}) closed: {Reason}", client.Id, client.RemoteAddress, reason);
            if (hooks.Any && source is not null) await hooks.CallAsync(HookEvent.OnStop, client, key, log);
        }
    }

    /// <summary>
    /// The FLV header, then the queue's tags as the source flushes them (see <see cref="FlvMediaPump"/>),
    /// until the queue ends, the client leaves or the request is aborted (kick).
    /// </summary>
    private static async Task<string> WriteFlvAsync(System.IO.Pipelines.PipeWriter body, PlayerQueue queue, ClientStats client, ServerStats stats, CancellationToken ct)
    {
        FlvWriter.WriteHeader(body, hasAudio: true, hasVideo: true);
        await Flush(body, client, stats, ct);
        var pump = new FlvMediaPump(queue, body, client, stats, ct);
        using var stop = ct.Register(() => pump.Stop("kicked or client gone"));
        pump.Start();
        var reason = await pump.Completion;
        // A write in progress may still hold the body: wait for it before the request ends.
        await pump.IdleAsync();
        ct.ThrowIfCancellationRequested();
        return reason;
    }

    private static async ValueTask Flush(System.IO.Pipelines.PipeWriter body, ClientStats client, ServerStats stats, CancellationToken ct)
    {
        var n = body.UnflushedBytes;
        var result = await body.FlushAsync(ct);
        if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException();
        client.AddBytesOut(n);
        stats.AddBytesOut(n);
    }

    /// <summary>Category name for the HTTP-FLV logger.</summary>
    public sealed class HttpFlvProgram;
}

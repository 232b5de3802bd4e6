using System.Buffers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
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
    private const string Stopped = "kicked or client gone";

    public static void Map(WebApplication app, int port)
    {
        // A plain RequestDelegate, as the API's (see PortFilter): services are looked up here.
        var logger = app.Services.GetRequiredService<ILogger<HttpFlvProgram>>();
        Action<string> warn = message => logger.LogWarning("{Message}", message); // for hook calls: one for all requests
        app.MapGet("/{app}/{stream}.flv", PortFilter.Only(port, ctx =>
        {
            var services = ctx.RequestServices;
            return ServeAsync(ctx, (string)ctx.Request.RouteValues["app"]!, (string)ctx.Request.RouteValues["stream"]!,
                services.GetRequiredService<ActorRegistry>(), services.GetRequiredService<ServerStats>(),
                services.GetRequiredService<SrsSettings>(), services.GetRequiredService<HttpHooks>(), logger, warn);
        }));
    }

    private static async Task ServeAsync(HttpContext ctx, string app, string stream,
        ActorRegistry actors, ServerStats stats, SrsSettings settings, HttpHooks hooks, ILogger<HttpFlvProgram> logger, Action<string> log)
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
        IActorRef? source = null;
        var queue = new PlayerQueue(settings.QueueLength);
        var reason = "client closed the connection";
        var takenOver = false;
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
            logger.LogInformation("client {Id} plays {Stream} over HTTP-FLV ({State})", client.Id, key, accepted.Publishing ? "live" : "waiting for the publisher");

            if (DirectSocket(ctx) is { } socket)
            {
                takenOver = true;
                reason = await WriteFlvToSocketAsync(socket, queue, client, stats, abort.Token);
            }
            else
            {
                ctx.Response.ContentType = "video/x-flv";
                ctx.Response.Headers.CacheControl = "no-cache";
                ctx.Response.Headers.AccessControlAllowOrigin = "*";
                reason = await WriteFlvAsync(ctx.Response.BodyWriter, queue, client, stats, abort.Token);
            }
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
            // The connection's bytes are no longer HTTP that Kestrel could go on with: close it.
            if (takenOver) ctx.Abort();
            source?.Tell(new StopPlay(client.Id), connection);
            connection.Tell(PoisonPill.Instance);
            logger.LogInformation("client {Id} ({Ip}) closed: {Reason}", client.Id, client.RemoteAddress, reason);
            if (hooks.Any && source is not null) await hooks.CallAsync(HookEvent.OnStop, client, key, log);
        }
    }

    /// <summary>
    /// The socket under a plain HTTP/1.x request, when Kestrel's socket transport exposes it: the
    /// response is then written straight to it, like an RTMP player's media. HTTPS and HTTP/2 go
    /// through Kestrel.
    /// </summary>
    private static Socket? DirectSocket(HttpContext ctx)
    {
        if (!HttpProtocol.IsHttp11(ctx.Request.Protocol) && !HttpProtocol.IsHttp10(ctx.Request.Protocol)) return null;
        if (ctx.Features.Get<ITlsConnectionFeature>() is not null) return null;
        return ctx.Features.Get<IConnectionSocketFeature>()?.Socket;
    }

    /// <summary>
    /// The response written by hand on the socket: status and headers (the body ends when the
    /// connection closes, as for an HTTP/1.0 stream, so no chunk framing), the FLV header, then the
    /// queue's tags as the source flushes them, sent from the flushing thread (see <see cref="FlvSocketPump"/>).
    /// Kestrel writes nothing for this request; the endpoint aborts the connection at the end.
    /// </summary>
    private static async Task<string> WriteFlvToSocketAsync(Socket socket, PlayerQueue queue, ClientStats client, ServerStats stats, CancellationToken ct)
    {
        var head = new byte[ResponseHead.Length + FlvWriter.HeaderSize];
        ResponseHead.CopyTo(head, 0);
        var flvHeader = new ArrayBufferWriter<byte>(FlvWriter.HeaderSize);
        FlvWriter.WriteHeader(flvHeader, hasAudio: true, hasVideo: true);
        flvHeader.WrittenSpan.CopyTo(head.AsSpan(ResponseHead.Length));
        for (var sent = 0; sent < head.Length; )
            sent += await socket.SendAsync(head.AsMemory(sent), SocketFlags.None, ct);
        client.AddBytesOut(head.Length);
        stats.AddBytesOut(head.Length);

        var reason = await new FlvSocketPump(queue, socket, client, stats).RunAsync(Stopped, ct);
        ct.ThrowIfCancellationRequested();
        return reason;
    }

    private static readonly byte[] ResponseHead = System.Text.Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nCache-Control: no-cache\r\n" +
        "Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n");

    /// <summary>
    /// The FLV header, then the queue's tags as the source flushes them (see <see cref="FlvMediaPump"/>),
    /// until the queue ends, the client leaves or the request is aborted (kick).
    /// </summary>
    private static async Task<string> WriteFlvAsync(System.IO.Pipelines.PipeWriter body, PlayerQueue queue, ClientStats client, ServerStats stats, CancellationToken ct)
    {
        FlvWriter.WriteHeader(body, hasAudio: true, hasVideo: true);
        await Flush(body, client, stats, ct);
        // RunAsync returns once no write holds the body any more: the request may end then.
        var reason = await new FlvMediaPump(queue, body, client, stats, ct).RunAsync(Stopped, ct);
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

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
using Srs.Node.Http.Transport;
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
        // A plain RequestDelegate, as the API's (see PortFilter); services are looked up once, here.
        var provider = app.Services;
        var logger = provider.GetRequiredService<ILogger<HttpFlvProgram>>();
        var services = new HttpFlvServices(provider.GetRequiredService<ActorRegistry>(), provider.GetRequiredService<ServerStats>(),
            provider.GetRequiredService<SrsSettings>(), provider.GetRequiredService<HttpHooks>(), logger,
            message => logger.LogWarning("{Message}", message));
        app.MapGet("/{app}/{stream}.flv", PortFilter.Only(port, ctx =>
            ServeAsync(ctx, (string)ctx.Request.RouteValues["app"]!, (string)ctx.Request.RouteValues["stream"]!, services)));
    }

    private static async Task ServeAsync(HttpContext ctx, string app, string stream, HttpFlvServices services)
    {
        var key = StreamKey.FromRtmp(ctx.Request.Host.Host, app, stream + ctx.Request.QueryString.Value);
        if (!key.IsValid)
        {
            ctx.Response.StatusCode = 400;
            return;
        }
        var client = new ClientStats(services.Stats.NextClientId(), $"{ctx.Connection.RemoteIpAddress}:{ctx.Connection.RemotePort}")
        {
            Type = ClientType.FlvPlay, Vhost = key.Vhost, App = key.App, Stream = key.Stream,
            TcUrl = $"http://{ctx.Request.Host}/{key.App}", PageUrl = ctx.Request.Headers.Referer.ToString(),
            Param = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value : null,
        };
        // Cancelled by a kick, or by the client leaving while Kestrel serves the request (not after a takeover).
        var abort = new CancellationTokenSource();
        var requestAborted = ctx.RequestAborted.UnsafeRegister(static a => ((CancellationTokenSource)a!).Cancel(), abort);
        var connection = await services.Actors.Get<ConnectionManager>().Ask<IActorRef>(new ConnectionProtocol.RegisterHttpClient(client, abort), AskTimeout);
        var queue = new PlayerQueue(services.Settings.QueueLength);
        HttpFlvPlayer? player = null;
        var handedOff = false;
        var reason = "client closed the connection";
        try
        {
            if (services.Hooks.Any && await services.Hooks.CallAsync(HookEvent.OnPlay, client, key, services.Warn) is { } refused)
            {
                reason = "play refused by " + refused;
                ctx.Response.StatusCode = 403;
                return;
            }
            var accepted = await services.Actors.Get<SourceRegistry>().Ask<PlayAccepted>(
                new SourceEnvelope(key, new Play(client.Id, connection, queue, client)), AskTimeout, abort.Token);
            player = new HttpFlvPlayer(services, client, key, connection, accepted.Source, queue, abort);
            services.Logger.LogInformation("client {Id} plays {Stream} over HTTP-FLV ({State})", client.Id, key, accepted.Publishing ? "live" : "waiting for the publisher");

            if (!IsPlainHttp1(ctx))
                reason = await player.WriteToResponseAsync(ctx.Response);
            else if (ctx.Features.Get<ISocketTakeoverFeature>() is { } takeover && await takeover.TakeOverAsync() is { } own)
            {
                // Not cancelled by the request's end from now on: the player outlives the request.
                await requestAborted.DisposeAsync();
                HandOff(ctx, player, own);
                handedOff = true;
            }
            else if (ctx.Features.Get<IConnectionSocketFeature>()?.Socket is { } kestrels)
            {
                // Kestrel's own socket transport (HTTP-FLV on the API's port): written to directly,
                // but the request lasts as long as the player.
                try { reason = await player.WriteToSocketAsync(kestrels); }
                finally { ctx.Abort(); } // the connection's bytes are no longer HTTP Kestrel could go on with
            }
            else
                reason = await player.WriteToResponseAsync(ctx.Response);
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
            await requestAborted.DisposeAsync();
            if (player is not null)
            {
                if (!handedOff) await player.EndAsync(reason);
            }
            else
            {
                queue.Complete();
                connection.Tell(PoisonPill.Instance);
                services.Logger.LogInformation("client {Id} ({Ip}) closed: {Reason}", client.Id, client.RemoteAddress, reason);
            }
        }
    }

    /// <summary>
    /// Ends the request but not the player: Kestrel lets go of the connection (its abort writes
    /// nothing and leaves a taken socket open) and frees its state for it; the player streams on
    /// its own socket from here and ends itself.
    /// </summary>
    private static void HandOff(HttpContext ctx, HttpFlvPlayer player, System.Net.Sockets.Socket socket)
    {
        ctx.Abort();
        // Without the request's execution context: its logging scope would stay with the player.
        using (ExecutionContext.SuppressFlow()) _ = player.StreamOnOwnSocketAsync(socket);
    }

    /// <summary>HTTP/1.x without TLS: the socket carries the response's bytes as they are written. HTTP/2 goes through Kestrel.</summary>
    private static bool IsPlainHttp1(HttpContext ctx) =>
        (HttpProtocol.IsHttp11(ctx.Request.Protocol) || HttpProtocol.IsHttp10(ctx.Request.Protocol))
        && ctx.Features.Get<ITlsConnectionFeature>() is null;

    /// <summary>Category name for the HTTP-FLV logger.</summary>
    public sealed class HttpFlvProgram;
}

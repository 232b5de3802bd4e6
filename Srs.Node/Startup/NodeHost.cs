using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Srs.Actors.Cluster;
using Srs.Actors.Configuration;
using Srs.Actors.Connections;
using Srs.Actors.Hooks;
using Srs.Actors.Lifecycle;
using Srs.Actors.Listeners;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Node.Http;

namespace Srs.Node.Startup;

/// <summary>Wires the node: the generic host with Akka (actors) and Kestrel (HTTP API, HTTP-FLV).</summary>
public static class NodeHost
{
    public static async Task<int> RunAsync(Config config, SrsSettings settings)
    {
        var rtmpSocket = Bind("rtmp.listen", settings.RtmpListen, settings.ReusePort);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        ConfigureKestrel(builder, settings);

        var stats = new ServerStats();
        var state = new NodeState();
        var hooks = new HttpHooks(settings.Hooks);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(hooks);
        builder.Services.AddAkka("srs", akka =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            akka.WithActors((system, registry) =>
            {
                var sources = system.ActorOf(SourceRegistry.Props(settings, stats, OriginDirectory(system, settings)), "sources");
                var connections = system.ActorOf(ConnectionManager.Props(sources, settings, stats, hooks), "connections");
                var listener = system.ActorOf(ListenerActor.Props(rtmpSocket, connections), "listener-rtmp");
                registry.Register<SourceRegistry>(sources);
                registry.Register<ConnectionManager>(connections);
                registry.Register<ListenerActor>(listener);
            });
        });

        var app = builder.Build();
        if (settings.HttpApiEnabled) ApiEndpoints.Map(app, settings.HttpApiListen.Port, settings.HttpApiDebug);
        if (settings.HttpServerEnabled) HttpFlvEndpoint.Map(app, settings.HttpServerListen.Port);

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            rtmpSocket.Dispose();
            throw new NodeStartupException($"cannot listen for HTTP: {e.Message}", e);
        }
        state.MarkRunning();
        app.Logger.LogInformation("srs-cluster {Version} serving: rtmp {Rtmp}, http-api {Api}, http-server {Http}",
            NodeVersion.Text, settings.RtmpListen, settings.HttpApiEnabled ? settings.HttpApiListen : "off",
            settings.HttpServerEnabled ? settings.HttpServerListen : "off");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, SrsSettings settings)
    {
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            var endpoints = new List<IPEndPoint>();
            if (settings.HttpApiEnabled) endpoints.Add(settings.HttpApiListen);
            if (settings.HttpServerEnabled && !endpoints.Contains(settings.HttpServerListen)) endpoints.Add(settings.HttpServerListen);
            foreach (var ep in endpoints) k.Listen(ep);
        });
        // Kestrel's sockets are made like RTMP's: SO_REUSEPORT when configured.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ep => ListenSocket.Bind(ep, settings.ReusePort));
    }

    /// <summary>Edge only: where sources find origins. Static edge.origins for now; null (no pulls) otherwise.</summary>
    private static IActorRef? OriginDirectory(ActorSystem system, SrsSettings settings)
    {
        if (settings.Role != NodeRole.Edge) return null;
        if (settings.EdgeOrigins.Count > 0) return system.ActorOf(StaticOriginDirectory.Props(settings.EdgeOrigins), "origin-directory");
        Akka.Event.LoggingExtensions.Warning(system.Log, "role = edge but srs.edge.origins is empty: this edge serves only streams published to it");
        return null;
    }

    private static Socket Bind(string key, IPEndPoint endPoint, bool reusePort)
    {
        try
        {
            return ListenSocket.Bind(endPoint, reusePort);
        }
        catch (SocketException e)
        {
            throw new NodeStartupException($"cannot listen on {endPoint} (srs.{key}): {e.Message}", e);
        }
    }
}

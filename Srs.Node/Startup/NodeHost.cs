using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Srs.Actors.Cluster;
using Srs.Actors.Configuration;
using Srs.Actors.Connections;
using Srs.Actors.Edge;
using Srs.Actors.Hooks;
using Srs.Actors.Lifecycle;
using Srs.Actors.Listeners;
using Srs.Actors.Sources;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Actors.Upgrade;
using Srs.Node.Http;
using Srs.Node.Upgrade;

namespace Srs.Node.Startup;

/// <summary>
/// Wires the node: the generic host with Akka (actors) and Kestrel (HTTP API), HTTP-FLV on a
/// second Kestrel server, and the signal handlers. Order at a quit: Akka's CoordinatedShutdown
/// runs every phase (see <see cref="GracefulShutdown"/>) while the API keeps answering; when the
/// actor system has terminated, Akka.Hosting stops the host and the process exits 0.
/// Listening sockets come from the running node when one answers on srs.upgrade-socket (upgrade
/// in place, see <see cref="ListenerHandover"/>), else they are bound here. The node joins the
/// cluster last, once everything listens (<see cref="ClusterSetup"/>).
/// </summary>
public static class NodeHost
{
    public static async Task<int> RunAsync(Config config, SrsSettings settings)
    {
        var seeds = ClusterSetup.Seeds(config);
        // First the predecessor's listening sockets, if a node on this configuration runs: taking
        // them (instead of binding new ones beside them) is what makes the handover lossless.
        var inherited = ListenerHandover.Request(settings.UpgradeSocket);
        // An origin pulls the streams it lacks from that node while it runs, and once it drains itself,
        // from the node that took over from it (an edge pulls from origins anyway).
        var previous = inherited is { FromPid: { } pid, MediaSocket: { } media } && settings.Role == NodeRole.Origin
            ? new PreviousProcess(pid, media) : null;
        var peers = settings.Role == NodeRole.Origin && settings.UpgradeSocket is not null ? new UpgradePeers(previous) : null;
        var listeners = new ListenerSet();
        Socket rtmpSocket;
        try
        {
            rtmpSocket = inherited.TakeFor("rtmp", settings.RtmpListen) ?? Bind("rtmp.listen", settings.RtmpListen, settings.ReusePort);
        }
        catch
        {
            inherited.Abandon();
            throw;
        }
        listeners.Add("rtmp", rtmpSocket);

        var builder = WebApplication.CreateSlimBuilder();
        NodeLogging.Configure(builder.Logging);
        // The host must not react to signals itself: it would stop Kestrel and Akka in its own order.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();

        // HTTP-FLV gets its own server so it can stop listening while the API stays; on a shared
        // address it has to live with the API (and then closes only when the process exits).
        var flvSeparate = settings.HttpServerEnabled && !(settings.HttpApiEnabled && settings.HttpApiListen.Equals(settings.HttpServerListen));
        ConfigureKestrel(builder, settings, flvSeparate, inherited, listeners);

        var stats = new ServerStats();
        var state = new NodeState();
        var hooks = new HttpHooks(settings.Hooks);
        var clusterView = new ClusterViewHolder();
        builder.Services.AddSingleton(clusterView);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(hooks);

        HttpFlvServer? flv = null;
        HandoverServer? handover = null;
        IActorRef connections = ActorRefs.Nobody;
        GracefulShutdown? quit = null;
        builder.Services.AddAkka("srs", (akka, services) =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend);
            akka.AddHocon(ShutdownTimeouts.For(settings), HoconAddMode.Prepend);
            akka.AddHocon(ClusterSetup.AkkaConfig(settings), HoconAddMode.Prepend);
            akka.AddHocon(ConnectionMailbox.Hocon, HoconAddMode.Append);
            akka.AddHocon(DirectorySerializer.Hocon, HoconAddMode.Append);
            akka.AddSetup(new Akka.Hosting.Logging.LoggerFactorySetup(services.GetRequiredService<ILoggerFactory>()));
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLogger<AkkaLogBridge>();
            });
            akka.WithActors((system, registry) =>
            {
                var directory = system.ActorOf(ClusterDirectory.Props(settings, stats, state, clusterView, ClusterSetup.AdvertisedRtmp(settings, config)), "directory");
                registry.Register<ClusterDirectory>(directory);
                var sources = system.ActorOf(SourceRegistry.Props(settings, stats, OriginDirectory(system, settings, directory, peers), peers), "sources");
                connections = system.ActorOf(ConnectionManager.Props(sources, settings, stats, hooks), "connections");
                var listener = system.ActorOf(ListenerActor.Props(rtmpSocket, connections, listeners.Release), "listener-rtmp");
                registry.Register<SourceRegistry>(sources);
                registry.Register<ConnectionManager>(connections);
                registry.Register<ListenerActor>(listener);
                var role = settings.Role.ToString().ToLowerInvariant();
                quit = GracefulShutdown.Install(system, state, settings, connections, sources, [listener],
                    flv is null ? [handover!] : [flv, handover!],
                    publishersCanMove: () => handover!.HasSuccessor || clusterView.Current.HasOtherServing(role));
            });
        });

        var app = builder.Build();
        // The RTMP socket may be the predecessor's, with an accept pending by now: on a failed start
        // let it go before disposing, or .NET's close would reach the socket the predecessor listens on.
        void LetListenersGo()
        {
            listeners.ReleaseAll();
            inherited.Abandon();
            rtmpSocket.Dispose();
        }
        ActorSystem system;
        try
        {
            system = StartActorSystem(app.Services, config);
        }
        catch (NodeStartupException)
        {
            LetListenersGo();
            throw;
        }
        var upgradeLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Srs.Node.Upgrade");
        var neighbours = settings.UpgradeSocket is null ? null : new UpgradeNeighbours(() => ApiJson.LocalView(stats, state), upgradeLog);
        if (settings.HttpApiEnabled) ApiEndpoints.Map(app, settings.HttpApiListen.Port, settings.HttpApiDebug, neighbours);
        if (settings.HttpServerEnabled && !flvSeparate) HttpFlvEndpoint.Map(app, settings.HttpServerListen.Port);
        if (flvSeparate) flv = HttpFlvServer.Create(settings, app.Services, inherited, listeners);
        handover = new HandoverServer(settings.UpgradeSocket, listeners, upgradeLog);
        if (peers is not null)
        {
            handover.SuccessorMedia += peers.SetNext;
            handover.SuccessorGone += peers.NextGone;
        }
        // Kestrel's own stop disposes the API's listening sockets with an accept pending (see
        // ListenerSet.Release): let them go first, the host is stopping anyway.
        app.Lifetime.ApplicationStopping.Register(listeners.ReleaseAll);

        // Kestrel reports a port in use as an IOException; the HTTP-FLV server's own transport
        // as the SocketException of its bind.
        var failure = await StartFailureAsync(() => app.StartAsync(), e => $"cannot listen for HTTP: {e.Message}");
        if (failure is null && flv is not null)
            failure = await StartFailureAsync(flv.StartAsync, e => $"cannot listen on {settings.HttpServerListen} (srs.http-server.listen): {e.Message}");
        if (failure is not null)
        {
            LetListenersGo();
            quit?.Request(QuitKind.Fast, "startup failed");
            await app.StopAsync();
            throw failure;
        }

        // Serving now: take the upgrade socket over, then tell the predecessor (it stops serving it).
        // The actors run now: the next process may pull this one's streams.
        var upgradeMedia = neighbours is null ? null : UpgradeMediaSocket.Start(connections, upgradeLog);
        var upgradeStats = neighbours is null ? null
            : UpgradeStatsSocket.Start(neighbours, id => ApiEndpoints.Kick(stats, id), key => PublishedHere(stats, key), upgradeLog);
        if (previous is not null && neighbours is not null) previous.Publishes = (key, ct) => neighbours.PublishesAsync(previous.Pid, key, ct);
        handover.Start(upgradeMedia?.Name, upgradeStats?.Name, neighbours);
        var unused = inherited.Confirm();
        if (inherited.FromPid is { } from)
            upgradeLog.LogInformation("took over {Count} listening sockets from pid {Pid} ({Taken}){Unused}{Pull}", inherited.Taken.Count, from,
                string.Join(", ", inherited.Taken), unused.Count == 0 ? "" : $"; not used here, closed: {string.Join(", ", unused)}",
                previous is null ? "" : "; streams published there are pulled from it until it exits");
        using var previousLink = inherited.TakeLink() is { } link && neighbours is not null
            ? PreviousProcessLink.Follow(link, inherited, previous, upgradeMedia?.Name, upgradeStats?.Name, neighbours, upgradeLog)
            : null;
        var fresh = listeners.With(open => open.Where(o => !inherited.Taken.Contains($"{o.Name} {o.Socket.LocalEndPoint}")).Select(o => $"{o.Name} {o.Socket.LocalEndPoint}").ToList());
        if (fresh.Count > 0)
            upgradeLog.LogInformation("bound fresh listening sockets{ReusePort}: {Sockets}{Why}", settings.ReusePort ? " (SO_REUSEPORT)" : "",
                string.Join(", ", fresh), inherited.WhyNone is null ? "" : $" ({inherited.WhyNone})");

        // Every listener is bound and every server started: only now does the node become a member.
        ClusterSetup.Join(system, seeds, app.Logger);
        using var signals = SignalHandlers.Install(quit!, settings.ForceGraceQuit, app.Logger);
        state.MarkRunning();
        using var trim = NativeHeapTrim.Start();
        app.Logger.LogInformation("srs-cluster {Version} serving: rtmp {Rtmp}, http-api {Api}, http-server {Http}",
            NodeVersion.Text, settings.RtmpListen, settings.HttpApiEnabled ? settings.HttpApiListen : "off",
            settings.HttpServerEnabled ? settings.HttpServerListen : "off");
        if (!settings.IoUring) app.Logger.LogInformation("media sends: one sendmsg per player (io-uring = off)");
        else if (Srs.Actors.Media.SendBatch.Probe() is { } refused)
            app.Logger.LogWarning("media sends: one sendmsg per player, io_uring is not available here ({Reason})", refused);
        else app.Logger.LogInformation("media sends: batched through io_uring");

        // Returns once the actor system has terminated (Akka.Hosting then stops the host).
        await app.WaitForShutdownAsync();
        var stopped = Stopwatch.StartNew();
        if (flv is not null) await flv.DisposeAsync();
        // The other processes of an upgrade are told this one's final counters as the links close.
        handover.Dispose();
        previousLink?.Dispose();
        upgradeMedia?.Dispose();
        upgradeStats?.Dispose();
        app.Logger.LogInformation("exiting 0 ({Kind} quit), host stopped in {Ms} ms", quit!.Kind?.ToString() ?? "no", stopped.ElapsedMilliseconds);
        return 0;
    }

    /// <summary>An encoder publishes <paramref name="key"/> in this process (not a pull from the other process of an upgrade).</summary>
    private static bool PublishedHere(ServerStats stats, StreamKey key) =>
        stats.Streams.Values.Any(s => s.Key == key && s.Publishing && !EdgePuller.IsUpgradePeerPull(s.PublisherClientId));

    /// <summary>
    /// Creates the actor system (Akka.Hosting starts its actors with the host). Its remoting binds
    /// the cluster port: that port in use is a startup error like the others, not a crash.
    /// </summary>
    private static ActorSystem StartActorSystem(IServiceProvider services, Config config)
    {
        try
        {
            return services.GetRequiredService<ActorSystem>();
        }
        catch (Exception e) when (SocketCause(e) is { } socket)
        {
            var host = config.GetString("akka.remote.dot-netty.tcp.hostname", "");
            var port = config.GetInt("akka.remote.dot-netty.tcp.port", 0);
            throw new NodeStartupException($"cannot listen on {host}:{port} (akka.remote.dot-netty.tcp): {socket.Message}", e);
        }
    }

    private static SocketException? SocketCause(Exception? e) => e switch
    {
        null => null,
        SocketException socket => socket,
        AggregateException all => all.InnerExceptions.Select(SocketCause).FirstOrDefault(s => s is not null),
        _ => SocketCause(e.InnerException),
    };

    /// <summary>Runs a server's start; a failure to listen comes back as the startup error to report.</summary>
    private static async Task<NodeStartupException?> StartFailureAsync(Func<Task> start, Func<Exception, string> message)
    {
        try
        {
            await start();
            return null;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return new NodeStartupException(message(e), e);
        }
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, SrsSettings settings, bool flvSeparate,
        InheritedListeners inherited, ListenerSet listeners)
    {
        builder.WebHost.ConfigureKestrel(k => // the slim builder's Kestrel: HTTP/1.1 and 2 only; UseKestrel would add HTTP/3 (QUIC) and HTTPS
        {
            k.AddServerHeader = false;
            var endpoints = new List<IPEndPoint>();
            if (settings.HttpApiEnabled) endpoints.Add(settings.HttpApiListen);
            if (settings.HttpServerEnabled && !flvSeparate && !endpoints.Contains(settings.HttpServerListen)) endpoints.Add(settings.HttpServerListen);
            foreach (var ep in endpoints) k.Listen(ep);
        });
        // Kestrel's sockets are made like RTMP's: the predecessor's when handed over, else bound
        // here with SO_REUSEPORT when configured.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ep =>
        {
            var name = settings.HttpApiEnabled && ep.Equals(settings.HttpApiListen) ? "http-api" : "http-server";
            var socket = inherited.TakeFor(name, ep) ?? ListenSocket.Bind(ep, settings.ReusePort);
            listeners.Add(name, socket);
            return socket;
        });
    }

    /// <summary>
    /// Where sources find origins. Edges: the static edge.origins when set (any RTMP server), else
    /// the cluster directory (which origin holds each stream). Origins: the other process of an
    /// upgrade in place, when the upgrade socket is on.
    /// </summary>
    private static IActorRef? OriginDirectory(ActorSystem system, SrsSettings settings, IActorRef clusterDirectory, UpgradePeers? peers)
    {
        if (settings.Role != NodeRole.Edge)
            return peers is null ? null : system.ActorOf(UpgradePeerDirectory.Props(peers), "upgrade-peers");
        return settings.EdgeOrigins.Count > 0
            ? system.ActorOf(StaticOriginDirectory.Props(settings.EdgeOrigins), "origin-directory")
            : clusterDirectory;
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

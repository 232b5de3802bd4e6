using System.Net;
using System.Net.Sockets;
using Akka.Hosting;
using Microsoft.AspNetCore.Connections;
using Srs.Actors.Configuration;
using Srs.Actors.Hooks;
using Srs.Actors.Lifecycle;
using Srs.Actors.Listeners;
using Srs.Actors.Stats;
using Srs.Node.Http.Transport;
using Srs.Node.Startup;
using Srs.Node.Upgrade;

namespace Srs.Node.Http;

/// <summary>
/// HTTP-FLV on its own Kestrel server, apart from the HTTP API's: a graceful quit closes this
/// listener in service-unbind while its open responses keep streaming and the API keeps answering.
/// </summary>
public sealed class HttpFlvServer : IServiceListener, IAsyncDisposable
{
    private static readonly TimeSpan UnbindWait = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _abort = new();
    private readonly List<Socket> _sockets;
    private readonly ListenerSet _listeners;
    private Task? _stopping;

    public string Name => "http-server";

    private HttpFlvServer(WebApplication app, List<Socket> sockets, ListenerSet listeners)
    {
        _app = app;
        _sockets = sockets;
        _listeners = listeners;
    }

    /// <summary>Builds the server over the API host's services (actors, stats, settings, hooks).</summary>
    public static HttpFlvServer Create(SrsSettings settings, IServiceProvider node, InheritedListeners inherited, ListenerSet listeners)
    {
        var builder = WebApplication.CreateSlimBuilder();
        NodeLogging.Configure(builder.Logging);
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        // Open responses may last as long as the drain: only Abort ends them.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton(node.GetRequiredService<ActorRegistry>());
        builder.Services.AddSingleton(node.GetRequiredService<ServerStats>());
        builder.Services.AddSingleton(node.GetRequiredService<HttpHooks>());
        builder.Services.AddSingleton(settings);

        var sockets = new List<Socket>();
        builder.WebHost.ConfigureKestrel(k => // the slim builder's Kestrel: HTTP/1.1 and 2 only; UseKestrel would add HTTP/3 (QUIC) and HTTPS
        {
            k.AddServerHeader = false;
            k.Listen(settings.HttpServerListen);
        });
        // Kestrel's socket transport, but a live response can take its socket over (HttpFlvEndpoint).
        builder.Services.AddSingleton<IConnectionListenerFactory>(new TakeoverSocketTransport(ep =>
        {
            var socket = inherited.TakeFor("http-server", ep) ?? ListenSocket.Bind(ep, settings.ReusePort);
            lock (sockets) sockets.Add(socket);
            listeners.Add("http-server", socket);
            return socket;
        }));
        var app = builder.Build();
        HttpFlvEndpoint.Map(app, settings.HttpServerListen.Port);
        return new HttpFlvServer(app, sockets, listeners);
    }

    public Task StartAsync() => _app.StartAsync();

    public async Task UnbindAsync()
    {
        // Kestrel's stop closes the listening sockets first, then waits for open responses until
        // the token is cancelled: wait for the first part only. It disposes them with an accept
        // pending, which must not reach a socket a successor shares: let them go first.
        lock (_sockets) foreach (var s in _sockets) _listeners.Release(s);
        _stopping ??= StopAsync();
        var deadline = DateTime.UtcNow + UnbindWait;
        while (!_stopping.IsCompleted && !AllClosed() && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    public void Abort() => _abort.Cancel();

    public async ValueTask DisposeAsync()
    {
        lock (_sockets) foreach (var s in _sockets) _listeners.Release(s);
        _abort.Cancel();
        _stopping ??= StopAsync();
        await _stopping;
        await _app.DisposeAsync();
    }

    private async Task StopAsync()
    {
        try { await _app.StopAsync(_abort.Token); }
        catch (Exception e) when (e is OperationCanceledException or AggregateException) { }
    }

    private bool AllClosed()
    {
        lock (_sockets) return _sockets.All(s => s.SafeHandle.IsClosed);
    }
}

using Akka.Actor;
using Akka.Event;
using Srs.Actors.Stats;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Connections;

/// <summary>
/// Stands for one HTTP client whose request Kestrel is serving (an HTTP-FLV player): the
/// request ends this actor when it finishes; a kick aborts the request.
/// </summary>
public sealed class HttpClientActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ClientStats _client;
    private readonly ServerStats _stats;

    public static Props Props(ClientStats client, CancellationTokenSource abort, ServerStats stats) =>
        Akka.Actor.Props.Create(() => new HttpClientActor(client, abort, stats)).WithMailbox(ConnectionMailbox.Id);

    public HttpClientActor(ClientStats client, CancellationTokenSource abort, ServerStats stats)
    {
        _client = client;
        _stats = stats;
        Receive<Kick>(k =>
        {
            _log.Info("client {0} kicked: {1}", client.Id, k.Reason);
            abort.Cancel();
        });
        Receive<WatchSource>(w => Context.Watch(w.Source));
        Receive<Terminated>(_ => abort.Cancel());
    }

    protected override void PreStart()
    {
        _client.Connection = Self;
        _stats.Clients[_client.Id] = _client;
    }

    protected override void PostStop() => _stats.Clients.TryRemove(_client.Id, out _);
}

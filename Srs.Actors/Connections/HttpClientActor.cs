using Akka.Actor;
using Akka.Event;
using Srs.Actors.Stats;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Connections;

/// <summary>
/// Stands for one HTTP client whose request Kestrel is serving (an HTTP-FLV player): the
/// request ends this actor when it finishes; a kick aborts the request.
/// </summary>
/// <remarks>Kept as small as <see cref="RtmpConnectionActor"/>, for the same reason: one switch, the manager's log.</remarks>
public sealed class HttpClientActor(ClientStats client, CancellationTokenSource abort, ServerStats stats, ILoggingAdapter log) : UntypedActor
{
    public static Props Props(ClientStats client, CancellationTokenSource abort, ServerStats stats, ILoggingAdapter log) =>
        Akka.Actor.Props.Create(() => new HttpClientActor(client, abort, stats, log)).WithMailbox(ConnectionMailbox.Id);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Kick k:
                log.Info("client {0} kicked: {1}", client.Id, k.Reason);
                abort.Cancel();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart()
    {
        client.Connection = Self;
        stats.Clients[client.Id] = client;
    }

    protected override void PostStop()
    {
        Context.Parent.Tell(ConnectionEnded.Instance);
        stats.Clients.TryRemove(client.Id, out _);
    }
}

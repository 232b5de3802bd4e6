using Akka.Actor;
using Akka.Event;
using Srs.Actors.Stats;
using static Srs.Actors.Connections.ConnectionProtocol;

namespace Srs.Actors.Connections;

/// <summary>
/// Stands for one HTTP client (an HTTP-FLV player, served in its request or on the socket it took
/// over from Kestrel): the player ends this actor when it ends; a kick cancels its abort source.
/// </summary>
/// <remarks>
/// Kept as small as <see cref="RtmpConnectionActor"/>, for the same reasons: every one is made from
/// the manager's one Props and gets its client in <see cref="Open"/>; one switch; the manager's log.
/// </remarks>
public sealed class HttpClientActor(ServerStats stats, ILoggingAdapter log) : UntypedActor
{
    /// <summary>Manager to an actor it has just made: the client and how to abort its request. Always its first message.</summary>
    public sealed record Open(ClientStats Client, CancellationTokenSource Abort);

    private Open? _open;

    public static Props Props(ServerStats stats, ILoggingAdapter log) =>
        Akka.Actor.Props.Create(() => new HttpClientActor(stats, log)).WithMailbox(ConnectionMailbox.Id);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Open open:
                _open = open;
                open.Client.Connection = Self;
                stats.Clients[open.Client.Id] = open.Client;
                break;
            case Kick when _open is null:
                Context.Stop(Self);
                break;
            case Kick k:
                log.Info("client {0} kicked: {1}", _open.Client.Id, k.Reason);
                _open.Abort.Cancel();
                break;
            case AskToReconnect:
                break; // a player: nothing to move
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop()
    {
        Context.Parent.Tell(ConnectionEnded.Instance);
        if (_open is not null) stats.Clients.TryRemove(_open.Client.Id, out _);
    }
}

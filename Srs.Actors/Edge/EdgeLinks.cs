using Akka.Actor;
using Srs.Actors.Configuration;
using Srs.Actors.Stats;
using Srs.Actors.Streams;

namespace Srs.Actors.Edge;

/// <summary>
/// What makes a source on an edge node different: while it has players and no local publisher
/// it pulls the stream from an origin (<see cref="EdgePuller"/>), and while it has a local
/// publisher it forwards the stream to an origin (<see cref="EdgeForwarder"/>). Both are children
/// of the source. The source calls <see cref="Update"/> after its publisher or players change.
/// </summary>
public sealed class EdgeLinks(StreamKey key, IActorRef directory, SrsSettings settings, ServerStats stats)
{
    private int _children;

    public IActorRef? Puller { get; private set; }
    public IActorRef? Forwarder { get; private set; }

    /// <summary>Null on origins and on edges without a directory (no origin configured or known).</summary>
    public static EdgeLinks? For(StreamKey key, IActorRef? directory, SrsSettings settings, ServerStats stats) =>
        settings.Role == NodeRole.Edge && directory is not null ? new EdgeLinks(key, directory, settings, stats) : null;

    /// <param name="publisherId">The source's publisher (an upstream pull counts as none that is local).</param>
    /// <param name="players">Client ids of the source's players (forwarders are not players that want the stream).</param>
    public void Update(IActorContext context, string? publisherId, IEnumerable<string> players)
    {
        var localPublisher = publisherId is not null && !EdgePuller.IsClientId(publisherId);
        var wantPull = !localPublisher && players.Any(id => !EdgeForwarder.IsClientId(id));

        if (wantPull && Puller is null)
            Puller = Start(context, EdgePuller.Props(key, directory, settings.Limits, stats), "edge-pull");
        else if (!wantPull && Puller is not null)
            Puller = Stop(context, Puller);

        if (localPublisher && Forwarder is null)
            Forwarder = Start(context, EdgeForwarder.Props(key, directory, settings.Limits, settings.QueueLength, stats), "edge-forward");
        else if (!localPublisher && Forwarder is not null)
            Forwarder = Stop(context, Forwarder);
    }

    /// <summary>A child died on its own (a fault): forget it, so the next <see cref="Update"/> starts a fresh one.</summary>
    public bool ChildTerminated(IActorRef actor)
    {
        if (actor.Equals(Puller)) Puller = null;
        else if (actor.Equals(Forwarder)) Forwarder = null;
        else return false;
        return true;
    }

    private IActorRef Start(IActorContext context, Props props, string name)
    {
        var child = context.ActorOf(props, $"{name}-{++_children}");
        context.Watch(child);
        return child;
    }

    private static IActorRef? Stop(IActorContext context, IActorRef child)
    {
        context.Stop(child);
        return null;
    }
}

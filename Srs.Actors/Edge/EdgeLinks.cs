using Akka.Actor;
using Srs.Actors.Configuration;
using Srs.Actors.Stats;
using Srs.Actors.Streams;
using Srs.Actors.Upgrade;

namespace Srs.Actors.Edge;

/// <summary>
/// What makes a source on an edge node different: while it has players and no local publisher
/// it pulls the stream from an origin (<see cref="EdgePuller"/>), and while it has a local
/// publisher it forwards the stream to an origin (<see cref="EdgeForwarder"/>). Both are children
/// of the source. The source calls <see cref="Update"/> after its publisher or players change.
/// An origin pulls the same way from the other processes of an upgrade in place (no forwarding):
/// from the previous process while it runs, and while this node drains from the next one first
/// (<see cref="UpgradePeers"/>); a publish here may take the stream over from a pull from the
/// previous process once that one drains (<see cref="MayTakeOver"/>).
/// </summary>
public sealed class EdgeLinks(StreamKey key, IActorRef directory, SrsSettings settings, ServerStats stats, UpgradePeers? peers)
{
    private int _children;

    public IActorRef? Puller { get; private set; }
    public IActorRef? Forwarder { get; private set; }

    /// <summary>
    /// Null without a directory: on origins without <paramref name="peers"/> (then
    /// <paramref name="directory"/> names the process to pull from), and on edges with no origin
    /// configured or known.
    /// </summary>
    public static EdgeLinks? For(StreamKey key, IActorRef? directory, SrsSettings settings, ServerStats stats, UpgradePeers? peers = null) =>
        directory is null ? null
        : settings.Role == NodeRole.Edge ? new EdgeLinks(key, directory, settings, stats, null)
        : peers is not null ? new EdgeLinks(key, directory, settings, stats, peers)
        : null;

    /// <summary>
    /// Whether <paramref name="newId"/> may replace the publisher <paramref name="publisherId"/>
    /// (at its first keyframe) instead of being refused: a pull from the previous process, once that
    /// process drains (its encoder is then moving here), or a pull replaced by this source's puller
    /// itself (the stream moved to another origin). A second encoder is refused as anywhere else.
    /// </summary>
    public bool MayTakeOver(string? publisherId, string newId) =>
        (peers?.Previous is { Draining: true } or { Gone: true } && EdgePuller.IsPreviousProcessPull(publisherId))
        || (EdgePuller.IsClientId(publisherId) && EdgePuller.IsClientId(newId));

    /// <summary>A pull is running or starting: the source's players wait for it rather than being closed as the node drains.</summary>
    public bool Pulling => Puller is not null;

    /// <param name="publisherId">The source's publisher (an upstream pull counts as none that is local).</param>
    /// <param name="players">Client ids of the source's players (forwarders are not players that want the stream).</param>
    /// <param name="draining">The node drains (its quit waits for clients).</param>
    public void Update(IActorContext context, string? publisherId, IEnumerable<string> players, bool draining)
    {
        var localPublisher = publisherId is not null && !EdgePuller.IsClientId(publisherId);
        var wantPull = !localPublisher && players.Any(id => !EdgeForwarder.IsClientId(id)) && (peers is null || peers.WantsPull(draining));

        if (wantPull && Puller is null)
            Puller = Start(context, EdgePuller.Props(key, directory, settings.Limits, stats), "edge-pull");
        else if (!wantPull && Puller is not null)
            Puller = Stop(context, Puller);

        if (localPublisher && Forwarder is null && peers is null)
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

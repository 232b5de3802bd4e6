using Akka.Actor;
using Srs.Actors.Cluster;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Upgrade;

/// <summary>
/// The origin directory of an origin's sources during an upgrade in place: the one candidate is
/// the process to pull from now (<see cref="UpgradePeers.PullFrom"/>), none outside an upgrade. It
/// does not know which streams that process holds: a pull of a stream it lacks gets no media and
/// ends, then backs off. Publishes are never forwarded to it.
/// </summary>
public sealed class UpgradePeerDirectory : ReceiveActor
{
    public static Props Props(UpgradePeers peers) => Akka.Actor.Props.Create(() => new UpgradePeerDirectory(peers));

    public UpgradePeerDirectory(UpgradePeers peers)
    {
        OriginCandidates Candidates(Streams.StreamKey key) => new(key, peers.PullFrom is { } from ? [from] : []);
        Receive<ResolveOrigin>(m => Sender.Tell(Candidates(m.Key)));
        Receive<WatchOrigin>(m => m.Subscriber.Tell(Candidates(m.Key)));
        Receive<UnwatchOrigin>(_ => { });
        Receive<ChoosePublishOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, [])));
    }
}

using Akka.Actor;
using Srs.Actors.Cluster;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Upgrade;

/// <summary>
/// The origin directory of an origin's sources during an upgrade in place: the candidates are the
/// processes to pull from now, best first (<see cref="UpgradePeers.PullFrom"/>), none outside an
/// upgrade. It does not know which streams they hold: a pull of a stream one lacks is refused and
/// goes on to the next candidate, then backs off. Publishes are never forwarded to it.
/// </summary>
public sealed class UpgradePeerDirectory : ReceiveActor
{
    public static Props Props(UpgradePeers peers) => Akka.Actor.Props.Create(() => new UpgradePeerDirectory(peers));

    public UpgradePeerDirectory(UpgradePeers peers)
    {
        OriginCandidates Candidates(Streams.StreamKey key) => new(key, peers.PullFrom);
        Receive<ResolveOrigin>(m => Sender.Tell(Candidates(m.Key)));
        Receive<WatchOrigin>(m => m.Subscriber.Tell(Candidates(m.Key)));
        Receive<UnwatchOrigin>(_ => { });
        Receive<ChoosePublishOrigin>(m => Sender.Tell(new OriginCandidates(m.Key, [])));
    }
}

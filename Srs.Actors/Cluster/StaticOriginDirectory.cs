using System.Globalization;
using Akka.Actor;
using Srs.Actors.Streams;
using static Srs.Actors.Cluster.OriginDirectoryProtocol;

namespace Srs.Actors.Cluster;

/// <summary>
/// The origin directory of an edge configured with <c>srs.edge.origins</c>: every configured
/// origin is a candidate for every stream, ranked per stream by rendezvous hashing (stable across
/// nodes and restarts, spread across origins). It knows nothing about which origin holds what, so
/// a watch is answered once and never changes; the edge moves on to the next candidate when one
/// fails or stays silent.
/// </summary>
public sealed class StaticOriginDirectory : ReceiveActor
{
    /// <summary>The <see cref="OriginEndpoint.Node"/> of a configured origin.</summary>
    public const string StaticNode = "static";

    private readonly IReadOnlyList<OriginEndpoint> _origins;

    public static Props Props(IEnumerable<string> origins) =>
        Akka.Actor.Props.Create(() => new StaticOriginDirectory(origins.ToArray()));

    public StaticOriginDirectory(IReadOnlyList<string> origins)
    {
        _origins = origins.Select(Parse).Distinct().ToArray();
        Receive<ResolveOrigin>(m => Sender.Tell(Candidates(m.Key)));
        Receive<ChoosePublishOrigin>(m => Sender.Tell(Candidates(m.Key)));
        Receive<WatchOrigin>(m => m.Subscriber.Tell(Candidates(m.Key)));
        Receive<UnwatchOrigin>(_ => { });
    }

    private OriginCandidates Candidates(StreamKey key) => new(key, Rank(key, _origins));

    /// <summary>The configured origins in the order an edge tries them for <paramref name="key"/>.</summary>
    public static IReadOnlyList<OriginEndpoint> Rank(StreamKey key, IEnumerable<OriginEndpoint> origins) =>
        Rendezvous.Order(key.ToString(), origins, o => o.ToString());

    /// <summary>"host:port", "[v6]:port", or a bare host (port 1935), as the config validator allows.</summary>
    public static OriginEndpoint Parse(string hostPort)
    {
        var s = hostPort.Trim();
        var colon = s.LastIndexOf(':');
        var bracket = s.LastIndexOf(']');
        if (colon <= 0 || colon < bracket || (bracket < 0 && s.IndexOf(':') != colon))
            return new OriginEndpoint(StaticNode, s.Trim('[', ']'), 1935);
        var port = int.Parse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        return new OriginEndpoint(StaticNode, s[..colon].Trim('[', ']'), port);
    }
}

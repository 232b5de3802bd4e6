using Akka.Actor;
using Srs.Actors.Streams;

namespace Srs.Actors.Cluster;

/// <summary>An origin's RTMP address, where edges pull from and forward publishes to.</summary>
/// <param name="Node">The cluster member (akka address) or "static" for edge.origins entries.</param>
public sealed record OriginEndpoint(string Node, string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// What an edge asks of the origin directory (the cluster stream directory, or the static
/// edge.origins list). Both answer the same protocol, so the edge code does not know which it has.
/// </summary>
public static class OriginDirectoryProtocol
{
    /// <summary>Where to pull <paramref name="Key"/> from. Answered with <see cref="OriginCandidates"/>.</summary>
    public sealed record ResolveOrigin(StreamKey Key);

    /// <summary>
    /// Origins to try, best first. Cluster: the origin holding the stream (empty while none does).
    /// Static: every configured origin, in an order stable per stream.
    /// </summary>
    public sealed record OriginCandidates(StreamKey Key, IReadOnlyList<OriginEndpoint> Origins);

    /// <summary>
    /// Tell <paramref name="Subscriber"/> <see cref="OriginCandidates"/> now and whenever they change,
    /// until it sends <see cref="UnwatchOrigin"/> or terminates.
    /// </summary>
    public sealed record WatchOrigin(StreamKey Key, IActorRef Subscriber);
    public sealed record UnwatchOrigin(StreamKey Key, IActorRef Subscriber);

    /// <summary>Where an edge forwards a publish: Up, non-draining origins, stable per stream name. Answered with <see cref="OriginCandidates"/>.</summary>
    public sealed record ChoosePublishOrigin(StreamKey Key);
}

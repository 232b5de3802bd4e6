using Akka.Actor;
using Srs.Actors.Streams;

namespace Srs.Actors.Cluster;

/// <summary>An origin's RTMP address, where edges pull from and forward publishes to.</summary>
/// <param name="Node">The cluster member (akka address), "static" for edge.origins entries, or the other process of an upgrade in place.</param>
/// <param name="Host">A host name or address; for the other process of an upgrade, the name of its private Unix socket.</param>
public sealed record OriginEndpoint(string Node, string Host, int Port)
{
    /// <summary>
    /// The process this one took its listening sockets from in an upgrade in place, and the one that
    /// took them from this one: reached on an abstract Unix socket (<see cref="Host"/>, port 0) that
    /// only a process of the same user can use, never on a port. The socket's name stays out of logs
    /// and client ids.
    /// </summary>
    public const string PreviousProcess = "previous-process";
    public const string NextProcess = "next-process";

    public bool IsPreviousProcess => Node == PreviousProcess;

    /// <summary>The other process of an upgrade in place (a Unix socket), not a host and port.</summary>
    public bool IsUpgradePeer => Node is PreviousProcess or NextProcess;

    public override string ToString() => IsUpgradePeer ? Node : $"{Host}:{Port}";
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

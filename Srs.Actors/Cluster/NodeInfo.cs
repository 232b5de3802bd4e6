namespace Srs.Actors.Cluster;

/// <summary>
/// What a node tells the cluster about itself, replicated with Akka.DistributedData. Each node is
/// the only writer of its own entry. Kept small: stream keys and counts, never media.
/// </summary>
/// <param name="Address">The node's cluster address ("akka.tcp://srs@host:port").</param>
/// <param name="Draining">True from the start of a graceful quit: never chosen for new pulls or publishes.</param>
public sealed record NodeInfo(
    string Address,
    string Role,
    string RtmpHost,
    int RtmpPort,
    bool Draining,
    int Clients,
    IReadOnlyList<NodeStream> Streams);

/// <summary>A stream live on a node. <paramref name="Key"/> is "vhost/app/stream".</summary>
public sealed record NodeStream(string Key, bool Publishing, int Clients);

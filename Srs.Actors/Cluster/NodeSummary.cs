namespace Srs.Actors.Cluster;

/// <summary>
/// What a node tells every other node about itself, besides its streams: constant in size, whatever
/// the number of streams, clients or nodes. Sent with every directory message; the counts are
/// statistics for the cluster API, refreshed once a second, never used for routing.
/// </summary>
/// <param name="Role">"origin" or "edge".</param>
/// <param name="Draining">True from the start of a graceful quit: never chosen for new pulls or publishes.</param>
/// <param name="Streams">Live sources on the node (published or not).</param>
/// <param name="Clients">Connected clients on the node.</param>
public sealed record NodeSummary(string Role, string RtmpHost, int RtmpPort, bool Draining, int Streams, int Clients)
{
    public bool IsOrigin => Role == "origin";
}
